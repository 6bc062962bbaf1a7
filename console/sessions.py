"""The console's sessions: kept on the server from sign-in on, as JSON, under a new id.

Before sign-in nothing is kept on the server: the sign-in form's CSRF token travels in a signed
cookie of its own. Signing in starts a session under a new random id (an id planted in the
browser beforehand is never adopted), kept in a `SessionStore` as JSON (never pickled) under
the id's SHA-256, so a reader of the store cannot present a stored key as a cookie. Signing
out deletes it. Where sessions are kept is the composition root's choice: a table in the
ledger's database (every worker and machine shares it) or a directory (`service/sessions.py`).
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import time
from typing import Any, Protocol

from flask import Flask, Request, Response, request
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import CallbackDict

SIGNED_IN = "token"  # the key a signed-in session holds
ANONYMOUS_COOKIE = "ledger_console_form"

log = logging.getLogger(__name__)


class SessionStore(Protocol):
    def load(self, key: str, now: float) -> dict[str, Any] | None:
        """The session kept under `key`, None if there is none or it expired before `now`."""

    def save(self, key: str, data: dict[str, Any], expires_at: float) -> None:
        """Keep `data` under `key` until `expires_at` (seconds since the epoch)."""

    def delete(self, key: str) -> None: ...

    def purge(self, now: float) -> None:
        """Forget every session expired before `now`."""


class MemorySessions:
    """Sessions of one process (an app built without a store: a test, a bench)."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[dict[str, Any], float]] = {}

    def load(self, key: str, now: float) -> dict[str, Any] | None:
        data, expires_at = self._kept.get(key, ({}, 0.0))
        return dict(data) if expires_at > now else None

    def save(self, key: str, data: dict[str, Any], expires_at: float) -> None:
        self._kept[key] = (dict(data), expires_at)

    def delete(self, key: str) -> None:
        self._kept.pop(key, None)

    def purge(self, now: float) -> None:
        self._kept = {k: v for k, v in self._kept.items() if v[1] > now}


class ConsoleSession(CallbackDict, SessionMixin):
    def __init__(self, initial: dict[str, Any] | None = None, sid: str | None = None) -> None:
        def changed(_: Any) -> None:
            self.modified = True

        super().__init__(initial, changed)
        self.sid = sid
        self.modified = False
        self.renew = False
        self.permanent = True


def storage_key(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class ConsoleSessions(SessionInterface):
    def __init__(self, store: SessionStore) -> None:
        self.store = store

    def regenerate(self, session: ConsoleSession) -> None:
        """Keep this session under a new id from this answer on (at sign-in)."""
        session.renew = True
        session.modified = True

    def _signer(self, app: Flask) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(app.secret_key or "", salt="ledger-console-form")

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure

    def open_session(self, app: Flask, request: Request) -> ConsoleSession:
        sid = request.cookies.get(self.get_cookie_name(app))
        if sid:
            try:
                data = self.store.load(storage_key(sid), time.time())
            except Exception:  # noqa: BLE001 - opened before any error handler can answer
                log.warning("console session store unavailable", exc_info=True)
                data = None  # the page then asks for sign-in, which tells what is wrong
            if data is not None:
                return ConsoleSession(data, sid)
        form = request.cookies.get(ANONYMOUS_COOKIE)
        if form:
            lifetime = int(app.permanent_session_lifetime.total_seconds())
            try:
                return ConsoleSession(self._signer(app).loads(form, max_age=lifetime))
            except BadSignature:
                pass
        return ConsoleSession()

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, ConsoleSession) or not session.modified:
            return
        if SIGNED_IN not in session:
            self._end(app, session, response)
            if session:  # the sign-in form's CSRF token, in a signed cookie only
                response.set_cookie(ANONYMOUS_COOKIE, self._signer(app).dumps(dict(session)),
                                    **self._cookie(app))
            return
        now = time.time()
        if session.renew or session.sid is None:
            self._end(app, session, response)
            session.sid = secrets.token_urlsafe(32)
            self.store.purge(now)
        expires_at = now + app.permanent_session_lifetime.total_seconds()
        self.store.save(storage_key(session.sid), dict(session), expires_at)
        response.set_cookie(self.get_cookie_name(app), session.sid, **self._cookie(app))
        response.delete_cookie(ANONYMOUS_COOKIE, path=self.get_cookie_path(app))

    def _end(self, app: Flask, session: ConsoleSession, response: Response) -> None:
        if session.sid is not None:
            self.store.delete(storage_key(session.sid))
            response.delete_cookie(self.get_cookie_name(app), path=self.get_cookie_path(app))
            session.sid = None

    def _cookie(self, app: Flask) -> dict[str, Any]:
        return {"max_age": int(app.permanent_session_lifetime.total_seconds()),
                "path": self.get_cookie_path(app), "domain": self.get_cookie_domain(app),
                "secure": self.get_cookie_secure(app), "httponly": True,
                "samesite": self.get_cookie_samesite(app)}
