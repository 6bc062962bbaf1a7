"""The log as CloudEvents (structured mode, one JSON object a line), and back.

Each line is a CloudEvents 1.0 event: `id` = event id, `type` = event type, `time` =
occurred_at, `data` = the event's client-facing data. Extensions carry the rest: `position`,
`recordedat`, `actor`, `hash`, and what recomputes the chain exactly without our code:
`originatorid`, `originatorversion`, `topic` and `state` (the stored bytes, base64).

Import is the one place rows are written without the application: into an empty ledger only,
every line's chain hash recomputed before it is written, all lines in one transaction.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any
from uuid import UUID

from cloudevents.v1.conversion import to_json
from cloudevents.v1.http import CloudEvent, from_json
from eventsourcing.persistence import StoredEvent

from ledger.domain.base import event_data
from ledger.errors import Conflict, Invalid
from ledger.tamper.chain import GENESIS, link

DEFAULT_SOURCE = "urn:supervision-ledger"
PAGE = 5000


class LedgerNotEmpty(Conflict):
    code = "ledger_not_empty"


class ImportRejected(Invalid):
    code = "import_rejected"


def export_log(ledger: Any, out: IO[str], source: str = DEFAULT_SOURCE) -> int:
    """Write every event in position order; return how many were written. Personal fields
    stay sealed, in `data` as in `state`: an export opens nothing, and a subject erased later
    is unreadable in it too, once its key is gone."""
    count, after = 0, 0
    while rows := ledger.recorder.select_chained(after, PAGE):
        for row in rows:
            out.write(to_json(_cloud_event(ledger.mapper, row, source)).decode() + "\n")
        count += len(rows)
        after = rows[-1].position
    return count


def _cloud_event(mapper: Any, row: Any, source: str) -> CloudEvent:
    event = mapper.to_domain_event(
        StoredEvent(row.originator_id, row.originator_version, row.topic, row.state)
    )
    attributes = {
        "id": f"{row.originator_id}:{row.originator_version}",
        "source": source,
        "type": type(event).__name__,
        "time": event.occurred_at.isoformat(),
        "datacontenttype": "application/json",
        "position": row.position,
        "recordedat": event.timestamp.isoformat(),
        "actor": event.actor,
        "hash": row.hash.hex(),
        "originatorid": str(row.originator_id),
        "originatorversion": row.originator_version,
        "topic": row.topic,
        "state": base64.b64encode(row.state).decode(),
    }
    data = json.loads(json.dumps(event_data(event), default=str))
    return CloudEvent(attributes, data)


def import_log(recorder: Any, lines: Iterable[str]) -> int:
    """Write exported lines into an empty ledger, reproducing positions and hashes."""
    if recorder.log_bounds() != (0, 0):
        raise LedgerNotEmpty("import only into an empty ledger; this one has events")
    try:
        return recorder.import_chained(_checked_batches(lines))
    except ValueError as error:  # the recorder's own check, inside the transaction
        raise LedgerNotEmpty(str(error)) from None


def _checked_batches(lines: Iterable[str]) -> Iterator[list[tuple]]:
    previous, last_position, batch = GENESIS, 0, []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        row = _row(number, line)
        position, oid, version, topic, state, stored = row
        if position <= last_position:
            raise ImportRejected(f"line {number}: position {position} does not follow "
                                 f"{last_position}", line=number, position=position)
        previous = link(previous, position, oid, version, topic, state)
        if previous != stored:
            raise ImportRejected(f"line {number}: the chain breaks at position {position}",
                                 line=number, position=position)
        last_position = position
        batch.append(row)
        if len(batch) >= PAGE:
            yield batch
            batch = []
    if batch:
        yield batch


def _row(number: int, line: str) -> tuple:
    try:
        event = from_json(line)
        oid = UUID(str(event["originatorid"]))
        version = int(event["originatorversion"])
        position = int(event["position"])
        row = (position, oid, version, str(event["topic"]),
               base64.b64decode(str(event["state"]), validate=True),
               bytes.fromhex(str(event["hash"])))
    except Exception as error:  # noqa: BLE001 - any malformed line is reported by number
        raise ImportRejected(f"line {number}: not an exported ledger event ({error})",
                             line=number) from None
    if event["id"] != f"{oid}:{version}":
        raise ImportRejected(f"line {number}: id {event['id']!r} does not name its event",
                             line=number)
    return row
