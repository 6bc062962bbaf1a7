"""Aggregates of the supervision domain. No HTTP, SQL or JSON here."""
