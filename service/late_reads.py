"""What a late entry is compared on: the listed fields of each kind of read, the business dates
where they can change, and the runs of dates over which a field read differently."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from projections import people
from projections.replay import Cut, replay
from projections.routing import RULES_KEY, subject
from projections.store import ProjectionStore
from projections.views import Views

Read = dict[str, Any]
Reader = Callable[[str, str, Cut], Read | None]


def _finding(read: Read) -> dict[str, Any]:
    return {name: read.get(name) for name in ("status", "overdue_on", "closed_on", "due_date")
            if name in read} | {"overdue": read.get("overdue")}


def _household(read: Read) -> dict[str, Any]:
    fields = {"category": read["category"], "poverty_status": read.get("poverty_status"),
              "exit_class": read.get("exit_class"),
              "income_meets_standard": (read.get("income") or {}).get("meets_standard")}
    for name, held in (read.get("guarantees") or {}).items():
        fields[f"guarantees.{name}"] = held.get("value")
    return fields


def _unit(read: Read) -> dict[str, Any]:
    due = [i for i in read.get("interviews", []) if not i.get("voided_event")
           and not i.get("held")]
    return {"listed": read["listed"], "interviews_due": len(due),
            "open_findings_in_subtree": read.get("rollup", {}).get("findings", {}).get("open")}


ITEMS = ("overdue_findings", "rejected_rectifications", "warnings_of_units_headed",
         "interviews_required", "overdue_help_measures", "unvisited_households")


def _person(read: Read) -> dict[str, Any]:
    """Each list of accountability items, as the sorted ids of the events proving them."""
    return {name: sorted({_item_id(item) for item in read.get(name, [])}) for name in ITEMS}


def _item_id(item: Read) -> str:
    for name in ("finding_id", "warning_id", "event_id", "measure_id", "household_id"):
        if item.get(name):
            return str(item[name])
    return repr(sorted(item.items()))


FIELDS: dict[str, Callable[[Read], dict[str, Any]]] = {
    "finding": _finding, "household": _household, "unit": _unit, "person": _person}


def _next_day(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def compared_dates(store: ProjectionStore, views: Views, kind: str, key: str, first: str,
                   last: str, after_at: datetime) -> list[str]:
    """The dates from `first` to `last` where a value of the subject can change: the two ends,
    the dates of the subject's events, and each due date and the day after it."""
    rows = store.query("SELECT DISTINCT occurred_on FROM proj_subject_events WHERE subject = ? "
                       "AND occurred_on > ? AND occurred_on <= ?", (f"{kind}:{key}", first, last))
    days = {first, last} | {str(r[0]) for r in rows}
    dues: list[str] = []
    if kind == "finding":
        read = views.finding(key, Cut(as_of=after_at))
        dues = [read["due_date"]] if read else []
    elif kind == "household":
        read = views.household(key, Cut(as_of=after_at, valid_at=date.fromisoformat(last)))
        dues = [f["due_date"] for f in (read or {}).get("open_findings", [])]
    for due in dues:
        days |= {due, _next_day(due)}
    return sorted(d for d in days if first <= d <= last)


def changes_between(read: Reader, kind: str, key: str, days: list[str], before_at: datetime,
                    after_at: datetime, last: str) -> list[dict[str, Any]]:
    """Each field that read differently before and after, with the run of dates it did."""
    fields = FIELDS[kind]
    rows = []
    for day in days:
        valid_at = date.fromisoformat(day)
        before, after = (read(kind, key, Cut(as_of=at, valid_at=valid_at))
                         for at in (before_at, after_at))
        rows.append((day, fields(before) if before else {}, fields(after) if after else {}))
    changes: list[dict[str, Any]] = []
    names = sorted({n for _, b, a in rows for n in (*b, *a)})
    for name in names:
        run: dict[str, Any] | None = None
        for index, (day, before, after) in enumerate(rows):
            pair = (before.get(name), after.get(name))
            if run is not None and (run["before"], run["after"]) != pair:
                changes.append(run)
                run = None
            if pair[0] != pair[1] and run is None:
                run = {"subject_type": kind, "subject_id": key, "field": name,
                       "before": pair[0], "after": pair[1], "from": day, "to": last}
            if run is not None and index + 1 < len(rows):
                run["to"] = (date.fromisoformat(rows[index + 1][0]) - timedelta(days=1)
                             ).isoformat()
            elif run is not None:
                run["to"] = last
        if run is not None:
            changes.append(run)
    return changes


def trail_about(store: ProjectionStore, views: Views, person_id: str, cut: Cut,
                touched: list[tuple[str, str]], cache: dict[Any, Read | None],
                own: bool) -> Read | None:
    """The person's accountability trail as far as the touched subjects reach it: their own
    record with only those findings, households and units read (a cadre's whole trail would
    read every household they answer for), judged on the cut's date. The person's own record
    (assignments, interviews) is replayed as known at the cut's moment when the late entry
    touched it (`own`), else read live: the late entry did not change it."""
    if own:
        state = _replayed(store, "person", person_id, Cut(as_of=cut.as_of), cache)
    else:
        state = cache.setdefault(("live", person_id), store.load_one("person", person_id))
    if state is None:
        return None
    about = set(touched)
    state = {**state, "assignments": [a for a in state["assignments"]
                                      if (a["subject_type"], a["subject_id"]) in about]}
    read = {kind: {key: s for k, key in touched if k == kind
                   and (s := _replayed(store, kind, key, cut, cache)) is not None}
            for kind in ("finding", "household", "unit")}
    rules = _replayed(store, "rules", RULES_KEY, cut, cache)
    return people.render(state, list(read["finding"].values()), read["unit"], read["household"],
                         rules, cut.on(views.clock()))


def _replayed(store: ProjectionStore, kind: str, key: str, cut: Cut,
              cache: dict[Any, Read | None]) -> Read | None:
    if (kind, key, cut) not in cache:
        cache[(kind, key, cut)] = replay(store, subject(kind, key), cut).states.get((kind, key))
    return cache[(kind, key, cut)]
