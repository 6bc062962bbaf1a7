"""The request's access policy (`projections.access`): one per request, for its token."""
from __future__ import annotations

from flask import current_app, g

from projections.access import Access


def access() -> Access:
    """The signed-in token's policy for this request (made once, then reused)."""
    found = g.get("access")
    if found is None or found.actor is not g.actor:
        found = g.access = Access(current_app.extensions["views"], g.actor)
    return found


def audit(subject_type: str, subject_id: str) -> None:
    """Note a subject whose personal data this request's answer shows (the read audit writes
    it when the answer is a 200; `api.read_audit`)."""
    noted = g.setdefault("audited_subjects", [])
    if (subject_type, subject_id) not in noted:
        noted.append((subject_type, subject_id))
