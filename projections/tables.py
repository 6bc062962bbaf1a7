"""The read models' tables, one set per generation, and the views readers query.

A generation is a full set of projection tables (`proj_state_g3`, `proj_findings_g3`,
`proj_subject_events_g3`) with its own tracked position in `proj_generations`. Exactly one
generation is live: the SQL views `proj_state`, `proj_findings` and `proj_subject_events` select
from it, and readers only ever query those views. A rebuild fills a fresh generation while the
live one keeps serving, then repoints the views in one transaction and drops the old tables.
The household list (`proj_households`) joins a generation when it is indexed.
"""
from __future__ import annotations

FINDING_COLUMNS = (
    "finding_id", "unit_id", "subject_type", "subject_id", "category", "status",
    "due_date", "person_id", "raised_on", "closed_on", "source", "sector",
)
# The household list (projections.household_list): one row per household, filterable.
HOUSEHOLD_COLUMNS = (
    "household_id", "village_id", "township_id", "county_id", "category", "poverty_status",
    "exit_class", "key_household", "monitoring", "last_visit", "open_findings", "size",
    "mismatch_due", "helper_cadres",
)
# Household list columns added after its first layout: `ProjectionStore.setup` adds them to a
# live generation made before them and fills them.
ADDED_HOUSEHOLD_COLUMNS = (("mismatch_due", "TEXT"), ("helper_cadres", "TEXT"))

# Finding columns added after the first layout, each with its type: `ProjectionStore.setup`
# adds them to a live generation made before them.
ADDED_FINDING_COLUMNS = (("source", "TEXT"), ("sector", "TEXT"))
GENERATIONS = (
    "CREATE TABLE IF NOT EXISTS proj_generations (generation INTEGER PRIMARY KEY, "
    "position BIGINT NOT NULL, live INTEGER NOT NULL)"
)
# What readers query, and the columns each view passes through from the live generation.
VIEWS = {
    "proj_state": ("kind", "key", "state"),
    "proj_findings": FINDING_COLUMNS + ("state",),
    "proj_subject_events": ("subject", "position", "recorded_us", "occurred_on"),
    "proj_households": HOUSEHOLD_COLUMNS,
    "proj_names": ("token", "household_id", "member_id"),
    "proj_name_seals": ("household_id", "member_id", "sealed"),
}
# The layout before generations: one unversioned set of tables and a tracking table.
LEGACY_TRACKING = "proj_tracking"


def table(view: str, generation: int) -> str:
    """The table of `generation` behind a view: table("proj_state", 3) is proj_state_g3."""
    if view not in VIEWS:
        raise ValueError(f"no projection view {view!r}")
    return f"{view}_g{int(generation)}"


def create_tables(generation: int) -> list[str]:
    """The tables of a generation with only the keys folding needs (upserts by key)."""
    state, findings, events = (table(v, generation) for v in (
        "proj_state", "proj_findings", "proj_subject_events"))
    return [
        f"CREATE TABLE IF NOT EXISTS {state} (kind TEXT NOT NULL, key TEXT NOT NULL, "
        "state TEXT NOT NULL, PRIMARY KEY (kind, key))",
        f"CREATE TABLE IF NOT EXISTS {findings} (finding_id TEXT PRIMARY KEY, "
        "unit_id TEXT NOT NULL, subject_type TEXT NOT NULL, subject_id TEXT NOT NULL, "
        "category TEXT NOT NULL, status TEXT NOT NULL, due_date TEXT NOT NULL, person_id TEXT, "
        "raised_on TEXT NOT NULL, closed_on TEXT, state TEXT NOT NULL, source TEXT, "
        "sector TEXT)",
        f"CREATE TABLE IF NOT EXISTS {events} (subject TEXT NOT NULL, position BIGINT NOT NULL, "
        "recorded_us BIGINT NOT NULL, occurred_on TEXT NOT NULL)",
        *create_name_index(generation),
    ]


def create_name_index(generation: int) -> list[str]:
    """The search index of names (projections.name_index): kept current page by page, so
    its indexes are made with it."""
    names, seals = table("proj_names", generation), table("proj_name_seals", generation)
    return [
        f"CREATE TABLE IF NOT EXISTS {names} (token TEXT NOT NULL, household_id TEXT NOT NULL, "
        "member_id TEXT NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {names}_token ON {names} (token, household_id, member_id)",
        f"CREATE INDEX IF NOT EXISTS {names}_household ON {names} (household_id, member_id)",
        f"CREATE TABLE IF NOT EXISTS {seals} (household_id TEXT NOT NULL, "
        "member_id TEXT NOT NULL, sealed TEXT, PRIMARY KEY (household_id, member_id))",
    ]


def create_indexes(generation: int) -> list[str]:
    """The indexes readers need. A rebuild creates them once its generation holds the whole log:
    building one index over sorted rows is cheaper than keeping it up to date row by row."""
    g = int(generation)
    findings, events = table("proj_findings", g), table("proj_subject_events", g)
    return [
        f"CREATE UNIQUE INDEX IF NOT EXISTS {events}_subject ON {events} (subject, position)",
        f"CREATE INDEX IF NOT EXISTS {findings}_unit ON {findings} (unit_id, status, due_date)",
        f"CREATE INDEX IF NOT EXISTS {findings}_subject ON {findings} (subject_type, subject_id)",
        f"CREATE INDEX IF NOT EXISTS {findings}_person ON {findings} (person_id)",
        f"CREATE INDEX IF NOT EXISTS {findings}_due ON {findings} (status, due_date)",
    ]


def create_household_list(generation: int) -> list[str]:
    """The household list's table and indexes. A generation gets them once it holds (nearly)
    the whole log, filled in one pass; from then on the runner keeps its rows current."""
    households = table("proj_households", generation)
    # A unit's households in household_id order: a page is one range of one index. The other
    # filters have a handful of values each and are read along it.
    return [
        f"CREATE TABLE IF NOT EXISTS {households} (household_id TEXT PRIMARY KEY, "
        "village_id TEXT NOT NULL, township_id TEXT, county_id TEXT, category TEXT NOT NULL, "
        "poverty_status TEXT NOT NULL, exit_class TEXT, key_household INTEGER NOT NULL, "
        "monitoring TEXT, last_visit TEXT, open_findings INTEGER NOT NULL, size INTEGER, "
        "mismatch_due TEXT, helper_cadres TEXT)",
        *(f"CREATE INDEX IF NOT EXISTS {households}_{column} ON {households} "
          f"({column}, household_id)" for column in ("village_id", "township_id", "county_id")),
    ]


def drop_tables(generation: int) -> list[str]:
    return [f"DROP TABLE IF EXISTS {table(v, generation)}" for v in VIEWS]


def view_select(view: str, generation: int) -> str:
    return f"SELECT {', '.join(VIEWS[view])} FROM {table(view, generation)}"
