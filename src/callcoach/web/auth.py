"""Who is asking: server-side sessions, CSRF tokens, scoped API bearer tokens.

The session cookie (`callcoach_session`: HttpOnly, SameSite=Lax, Secure whenever the request
came over https) carries only a random id; the session itself is a row on the server
(services/accounts/sessions.py), looked up on every request, so signing out, disabling the
account or a timeout ends it at once and a replayed cookie is refused.

Every request that changes something and is authenticated by the cookie must carry the CSRF
token, in the form field `csrf_token` or the `X-CSRF-Token` header. The token is an HMAC of the
browser's cookie under the server's key: bound to the session (a new one at every sign-in),
unguessable without the key, and checked without a database read. Before sign-in the browser
gets a random `callcoach_csrf` cookie for the same purpose (the sign-in form is protected too).
Bearer-token API calls need no CSRF token because a browser never attaches them on its own;
their scope (read or write) is enforced on every API route by `api_guard`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from callcoach.bootstrap import Container
from callcoach.domain.access import Role
from callcoach.services.accounts.sessions import (
    LiveSession,
    SessionPolicy,
    end_session,
    resolve_session,
    start_session,
)
from callcoach.services.accounts.tokens import TokenGrant, authenticate_token
from callcoach.services.accounts.users import Account, AuthenticationError, PermissionDeniedError

SESSION_COOKIE = "callcoach_session"
ANONYMOUS_COOKIE = "callcoach_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_BROWSER = "callcoach.browser"
_UNRESOLVED = object()


@dataclass
class BrowserCookies:
    """The cookies a request came with, and the changes its response makes to them."""

    session: str | None
    anonymous: str | None
    resolved: object = _UNRESOLVED  # the LiveSession, or None, once looked up
    new_session: str | None = None
    clear_session: bool = False
    new_anonymous: str | None = None


class SessionCookieMiddleware:
    """Reads the session and CSRF cookies into the request and writes their changes back."""

    def __init__(self, app: ASGIApp, max_age_s: int) -> None:
        self.app = app
        self.max_age_s = max_age_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        browser = BrowserCookies(
            session=cookies.get(SESSION_COOKIE) or None,
            anonymous=cookies.get(ANONYMOUS_COOKIE) or None,
        )
        scope[_BROWSER] = browser

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                flags = "; Path=/; HttpOnly; SameSite=Lax"
                flags += "; Secure" if scope.get("scheme") == "https" else ""
                if browser.new_session:
                    headers.append(
                        "set-cookie",
                        f"{SESSION_COOKIE}={browser.new_session}; Max-Age={self.max_age_s}{flags}",
                    )
                    if browser.anonymous:
                        headers.append("set-cookie", f"{ANONYMOUS_COOKIE}=; Max-Age=0{flags}")
                elif browser.clear_session and browser.session:
                    headers.append("set-cookie", f"{SESSION_COOKIE}=; Max-Age=0{flags}")
                if browser.new_anonymous and not browser.new_session:
                    # A browser-session cookie (no Max-Age): it only guards the sign-in form.
                    headers.append(
                        "set-cookie", f"{ANONYMOUS_COOKIE}={browser.new_anonymous}{flags}"
                    )
            await send(message)

        await self.app(scope, receive, send_with_cookies)


def _cookies(scope: Scope) -> dict[str, str]:
    result: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        if key != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            name, sep, val = part.strip().partition("=")
            if sep:
                result[name] = val
    return result


def container_of(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def session_policy(request: Request) -> SessionPolicy:
    settings = container_of(request).settings
    return SessionPolicy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_max_hours),
    )


def _browser(request: Request) -> BrowserCookies:
    browser = request.scope.get(_BROWSER)
    if not isinstance(browser, BrowserCookies):  # pragma: no cover - the middleware is always on
        raise RuntimeError("SessionCookieMiddleware is not installed")
    return browser


def _csrf_for(request: Request, cookie_value: str) -> str:
    key: bytes = request.app.state.csrf_key
    digest = hmac.new(key, b"csrf:" + cookie_value.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def csrf_token(request: Request) -> str:
    """The CSRF token for this browser's forms: bound to its session, or before sign-in to its
    anonymous cookie (created on first use)."""
    browser = _browser(request)
    if browser.new_session:
        return _csrf_for(request, browser.new_session)
    if browser.session and current_session(request) is not None:
        return _csrf_for(request, browser.session)
    anonymous = browser.anonymous or browser.new_anonymous
    if not anonymous:
        anonymous = browser.new_anonymous = secrets.token_urlsafe(32)
    return _csrf_for(request, anonymous)


def sign_in(request: Request, account: Account) -> LiveSession:
    """A new server-side session for a user who just proved who they are."""
    browser = _browser(request)
    live, token = start_session(
        container_of(request).store,
        account,
        user_agent=request.headers.get("user-agent"),
        client=request.client.host if request.client else None,
        replaces=browser.session,
    )
    browser.new_session = token
    browser.resolved = live
    return live


def sign_out(request: Request) -> None:
    """End this browser's session on the server and drop its cookie."""
    browser = _browser(request)
    if browser.session:
        end_session(container_of(request).store, browser.session)
    browser.clear_session = True
    browser.resolved = None


class LoginRequiredError(Exception):
    """A page needs a signed-in user; the app answers with a redirect to the sign-in page."""


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def current_session(request: Request) -> LiveSession | None:
    """This request's live session (looked up once per request), or None."""
    browser = _browser(request)
    if browser.resolved is _UNRESOLVED:
        live = None
        if browser.session:
            live = resolve_session(
                container_of(request).store, browser.session, session_policy(request)
            )
            if live is None:
                browser.clear_session = True  # ended, timed out or unknown: drop the cookie
        browser.resolved = live
    return browser.resolved if isinstance(browser.resolved, LiveSession) else None


def session_account(request: Request) -> Account | None:
    live = current_session(request)
    return live.account if live else None


async def check_csrf(request: Request) -> None:
    """Reject a state-changing, cookie-authenticated request without this browser's token."""
    if request.method in SAFE_METHODS:
        return
    if request.url.path.startswith("/api/") and _bearer(request) is not None:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    browser = _browser(request)
    expected = [_csrf_for(request, c) for c in (browser.session, browser.anonymous) if c]
    if not sent or not any(secrets.compare_digest(e, sent) for e in expected):
        raise HTTPException(
            status_code=403,
            detail="the form's security token is missing or expired: reload the page and retry",
        )


def page_account(request: Request) -> Account:
    """The signed-in user of a page, or a redirect to the sign-in page."""
    account = session_account(request)
    if account is None:
        raise LoginRequiredError()
    return account


def _token_grant(request: Request, token: str) -> TokenGrant:
    grant = request.scope.get("callcoach.token")
    if isinstance(grant, TokenGrant):
        return grant
    try:
        grant = authenticate_token(container_of(request).store, token)
    except AuthenticationError as exc:
        raise HTTPException(
            status_code=401, detail=str(exc), headers={"WWW-Authenticate": "Bearer"}
        ) from exc
    request.scope["callcoach.token"] = grant
    return grant


def api_guard(request: Request) -> None:
    """On every API route, before anything else: a bearer token must be valid (401) and a
    read-only one may not call a route that changes something (403)."""
    token = _bearer(request)
    if token is None:
        return
    grant = _token_grant(request, token)
    if grant.read_only and request.method not in SAFE_METHODS:
        raise HTTPException(
            status_code=403,
            detail="this API token is read-only: create a read-write token to change things",
        )


def api_account(request: Request) -> Account:
    """The API caller: a personal token (Authorization: Bearer) or the browser session."""
    token = _bearer(request)
    if token is not None:
        return _token_grant(request, token).account
    account = session_account(request)
    if account is None:
        raise HTTPException(
            status_code=401,
            detail="sign in, or send a personal API token as 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return account


def page_admin(account: Account = Depends(page_account)) -> Account:
    if account.role is not Role.ADMIN:
        raise PermissionDeniedError("this page is for administrators")
    return account


def api_admin(account: Account = Depends(api_account)) -> Account:
    if account.role is not Role.ADMIN:
        raise PermissionDeniedError("only an administrator can manage users")
    return account
