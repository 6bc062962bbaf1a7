"""Sign-in with a token into a server-side session, sign-out, and the session on each page.

The token is checked exactly as the API checks a bearer token (`api.auth.TokenCache`: revoked
or expired tokens are refused on the next page, in every worker), and its actor, role and unit
scope apply to every page and form."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError

from ledger.identity import Actor

blp = Blueprint("console_auth", __name__, template_folder="templates", static_folder="static",
                static_url_path="/console-static")


def csrf_check() -> None:
    """Every form of the console carries the session's CSRF token (a 400 page otherwise)."""
    if request.method == "POST":
        current_app.extensions["console_csrf"].protect()


def csrf_refused(error: Exception) -> Any:
    """A form without the session's CSRF token (or with a stale one): nothing is recorded."""
    return render_template("error.html", status=400,
                           message="表单已失效或来源不明（缺少防伪令牌），未记录任何内容。"
                                   "请重新打开页面后再提交。"), 400


blp.register_error_handler(CSRFError, csrf_refused)


@blp.errorhandler(RateLimitExceeded)
def too_many_failures(error: RateLimitExceeded) -> Any:
    page = render_template("error.html", status=429, message="此地址登录失败次数过多，请稍后再试。")
    return page, 429, {"Retry-After": "60"}


def _actor_of(token: str | None) -> Actor | None:
    if not token:
        return None
    return current_app.extensions["tokens"].actor(token)


def require_session() -> Any:
    """A before-request hook for pages and forms: the signed-in actor, or the sign-in page."""
    actor = _actor_of(session.get("token"))
    if actor is None:
        session.clear()
        return redirect(url_for("console_auth.login", next=request.full_path.rstrip("?")))
    g.actor = actor
    csrf_check()
    return None


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host) may follow sign-in."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return url_for("console_pages.overview_page")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("console_pages.overview_page")
    return target


@blp.get("/login")
def login():
    """The sign-in page: one field, the token `ledger token create` printed."""
    return render_template("login.html", next=request.args.get("next", ""), error=None)


@blp.post("/login")
def sign_in():
    """Start a session for a valid token; a wrong one is refused with 401 and counted."""
    csrf_check()
    token = (request.form.get("token") or "").strip()
    actor = _actor_of(token)
    if actor is None:
        return render_template("login.html", next=request.form.get("next", ""),
                               error="令牌无效、已吊销或已过期。"), 401
    session.clear()
    current_app.session_interface.regenerate(session)  # type: ignore[attr-defined]
    session["token"] = token
    return redirect(_safe_next(request.form.get("next")))


@blp.post("/logout")
def sign_out():
    csrf_check()
    session.clear()
    return redirect(url_for("console_auth.login"))


def limit_sign_in(app: Any, limit: Callable[[], str]) -> None:
    """Failed sign-ins count against the client address as failed API authentications do."""
    limiter = Limiter(get_remote_address, app=app, strategy="moving-window")
    endpoint = f"{blp.name}.{sign_in.__name__}"
    app.view_functions[endpoint] = limiter.limit(
        limit, scope="console-sign-in", methods=["POST"],
        deduct_when=lambda response: response.status_code == 401)(app.view_functions[endpoint])
