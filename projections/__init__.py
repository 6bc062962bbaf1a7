"""Read models: each view is a fold over the event log, kept in tables beside the events or in a
database of their own (`LEDGER_READ_DATABASE_URL`), in generations a rebuild can replace whole.

The same fold builds the live tables (by the runner) and answers replays (`as_of`: what the
ledger knew at a moment; `valid_at`: the world on a date as known now) from one subject's events.
"""
