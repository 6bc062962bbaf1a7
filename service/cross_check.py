"""The bulk cross-check: the information system's export, a CSV of thousands of households,
recorded as `SystemRecordCompared` events in batches through the application.

Each row is validated by the same schema as `POST /api/v1/events`, then rows are recorded a
batch at a time (all or nothing, so a batch is one transaction). A row the schema refuses, or
that the ledger refuses (an unknown household), is set aside with its line number and reason,
and the rest of its batch is recorded without it: a bad row never stops the run and never
takes good rows down with it unnoticed.

The file: UTF-8 (a BOM is fine), a header row naming `household_id`, `as_of_date` and any of
the record fields; an empty cell means the system gave no value for that field.
"""
from __future__ import annotations

import csv
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from api.schemas.event_data import COMPARED_CATEGORIES
from api.schemas.event_data import SystemRecordCompared as RowSchema
from api.schemas.fields import FULL_DATE, IDENTIFIER_PATTERN, LONE_SURROGATE, SHORT_TEXT
from ledger.application import Command, Ledger
from ledger.domain.crosscheck import POVERTY_STATUSES, RECORD_FIELDS
from ledger.errors import LedgerError
from ledger.identity import Actor

REQUIRED_COLUMNS = ("household_id", "as_of_date")
COLUMNS = (*REQUIRED_COLUMNS, *RECORD_FIELDS)
NUMBERS: dict[str, Callable[[str], Any]] = {"size": int, "per_capita_income": float}
BATCH = 500


class BadFile(ValueError):
    """The file cannot be read as an export at all (nothing is recorded)."""


@dataclass(frozen=True)
class Refusal:
    line: int
    household_id: str
    reason: str


@dataclass
class Summary:
    rows: int = 0
    recorded: int = 0
    mismatches: int = 0
    refused: list[Refusal] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _cell(name: str, text: str) -> Any:
    """A cell as the event carries it; a number that does not parse stays text, so the schema
    names it."""
    if name in NUMBERS:
        try:
            return NUMBERS[name](text)
        except ValueError:
            return text
    return text


_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
_PLAIN_CHECKS: dict[str, Callable[[Any], bool]] = {
    "size": lambda v: type(v) is int and 0 <= v <= 100,
    "per_capita_income": lambda v: type(v) is float and math.isfinite(v) and 0 <= v <= 1e9,
    "category": lambda v: v in COMPARED_CATEGORIES,
    "poverty_status": lambda v: v in POVERTY_STATUSES,
    "head_name": lambda v: 0 < len(v) <= SHORT_TEXT and "\x00" not in v
    and not LONE_SURROGATE.search(v),
}


def _plainly_valid(data: dict[str, Any]) -> bool:
    """A quick test, about ten times cheaper than the schema, that passes only rows the schema
    accepts unchanged (tests/service/test_cross_check.py holds it to that); every other row
    goes through the schema, which decides and names what is wrong."""
    record = data["record"]
    if not record or not _IDENTIFIER.match(data["household_id"]):
        return False
    if not FULL_DATE.match(data["as_of_date"]):
        return False
    try:
        date.fromisoformat(data["as_of_date"])
    except ValueError:
        return False
    return all(_PLAIN_CHECKS[name](value) for name, value in record.items())


def _reason(error: ValidationError) -> str:
    def flat(messages: Any, prefix: str) -> Iterator[str]:
        if isinstance(messages, dict):
            for key, inner in messages.items():
                name = "" if key == "_schema" else str(key)
                yield from flat(inner, f"{prefix}.{name}".strip(".") if name else prefix)
        else:
            text = "; ".join(map(str, messages)) if isinstance(messages, list) else messages
            yield f"{prefix}: {text}" if prefix else str(text)

    return "; ".join(flat(error.messages, ""))


def read_rows(lines: Iterable[str], source: str
              ) -> Iterator[tuple[int, str, dict[str, Any] | None, str | None]]:
    """(line number, household id, event data or None, reason refused or None) per row."""
    reader = csv.DictReader(lines)
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        raise BadFile(f"columns missing: {missing}; columns not known: {unknown} "
                      f"(known: {', '.join(COLUMNS)})")
    schema = RowSchema()
    plain_source = bool(_IDENTIFIER.match(source))
    for row in reader:
        line = reader.line_num
        household_id = (row.get("household_id") or "").strip()
        if None in row:
            yield line, household_id, None, "more cells than columns"
            continue
        record = {name: _cell(name, text.strip()) for name, text in row.items()
                  if name in RECORD_FIELDS and text is not None and text.strip()}
        data = {"household_id": household_id, "source": source,
                "as_of_date": (row.get("as_of_date") or "").strip(), "record": record}
        if plain_source and _plainly_valid(data):
            yield line, household_id, data, None
            continue
        try:
            yield line, household_id, schema.load(data), None
        except ValidationError as error:
            yield line, household_id, None, _reason(error)


def _record_batch(ledger: Ledger, actor: Actor, batch: list[tuple[int, str, dict[str, Any]]],
                  summary: Summary) -> None:
    """Record the batch in one append; a row the ledger refuses is set aside and the rest
    tried again, until what is left is recorded (or nothing is left)."""
    while batch:
        try:
            answers = ledger.record(actor, [Command("SystemRecordCompared", d)
                                            for _, _, d in batch])
        except LedgerError as error:
            index = int(error.details.get("index", 0))
            line, household_id, _ = batch.pop(index)
            summary.refused.append(Refusal(line, household_id, f"{error.code}: {error.message}"))
            continue
        summary.recorded += len(answers)
        summary.mismatches += sum(len(a.consequences) for a in answers)
        return


def cross_check(ledger: Ledger, path: Path, source: str, actor: Actor, batch: int = BATCH,
                progress: Callable[[Summary], None] | None = None) -> Summary:
    """Record every row of the export at `path`; the summary says what became of each."""
    summary = Summary()
    started = time.perf_counter()
    pending: list[tuple[int, str, dict[str, Any]]] = []
    with path.open(encoding="utf-8-sig", newline="") as lines:
        for line, household_id, data, reason in read_rows(lines, source):
            summary.rows += 1
            if data is None:
                summary.refused.append(Refusal(line, household_id, reason or "refused"))
                continue
            pending.append((line, household_id, data))
            if len(pending) >= batch:
                _record_batch(ledger, actor, pending, summary)
                pending = []
                summary.seconds = time.perf_counter() - started
                if progress is not None:
                    progress(summary)
    _record_batch(ledger, actor, pending, summary)
    summary.refused.sort(key=lambda r: r.line)
    summary.seconds = time.perf_counter() - started
    return summary
