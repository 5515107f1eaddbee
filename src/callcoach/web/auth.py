"""Who is asking: signed session cookies, CSRF tokens, API bearer tokens.

The session cookie is signed (itsdangerous, with the key from settings or the database),
HttpOnly, SameSite=Lax, and Secure whenever the request came over https. It carries the user id,
a stamp of the password (a password change signs out every other session) and the CSRF token.
Every request that changes something and is authenticated by the cookie must carry that token,
in the form field `csrf_token` or the `X-CSRF-Token` header; bearer-token API calls need none
because a browser never attaches them on its own.
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from fastapi import Depends, HTTPException, Request
from itsdangerous import BadSignature, TimestampSigner
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from callcoach.bootstrap import Container
from callcoach.domain.access import Role
from callcoach.services.accounts.users import (
    Account,
    PermissionDeniedError,
    account_for_session,
    account_for_token,
)

SESSION_COOKIE = "callcoach_session"
SESSION_MAX_AGE_S = 12 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SessionMiddleware:
    """A signed-cookie session like Starlette's, but Secure decided per request (https or not)."""

    def __init__(self, app: ASGIApp, secret_key: str) -> None:
        self.app = app
        self.signer = TimestampSigner(secret_key, salt="callcoach.session")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        session: dict[str, Any] = {}
        had_cookie = False
        for name, value in _cookies(scope).items():
            if name != SESSION_COOKIE:
                continue
            had_cookie = True
            try:
                raw = self.signer.unsign(value.encode(), max_age=SESSION_MAX_AGE_S)
                loaded = json.loads(base64.urlsafe_b64decode(raw))
                session = loaded if isinstance(loaded, dict) else {}
            except (BadSignature, ValueError):
                session = {}
        scope["session"] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                secure = "; Secure" if scope.get("scheme") == "https" else ""
                if scope["session"]:
                    payload = base64.urlsafe_b64encode(json.dumps(scope["session"]).encode())
                    signed = self.signer.sign(payload).decode()
                    headers.append(
                        "set-cookie",
                        f"{SESSION_COOKIE}={signed}; Path=/; Max-Age={SESSION_MAX_AGE_S}; "
                        f"HttpOnly; SameSite=Lax{secure}",
                    )
                elif had_cookie:
                    headers.append(
                        "set-cookie",
                        f"{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}",
                    )
            await send(message)

        await self.app(scope, receive, send_with_cookie)


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


def csrf_token(request: Request) -> str:
    """This session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def start_session(request: Request, account: Account) -> None:
    """A fresh session for a signed-in user (a new CSRF token too: no session fixation)."""
    request.session.clear()
    request.session.update(
        {"uid": account.id, "stamp": account.password_stamp, "csrf": secrets.token_urlsafe(32)}
    )


def end_session(request: Request) -> None:
    request.session.clear()


class LoginRequiredError(Exception):
    """A page needs a signed-in user; the app answers with a redirect to the sign-in page."""


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def session_account(request: Request) -> Account | None:
    cached = getattr(request.state, "account", None)
    if cached is not None:
        return cached if isinstance(cached, Account) else None
    uid, stamp = request.session.get("uid"), request.session.get("stamp")
    account = None
    if isinstance(uid, int) and isinstance(stamp, str):
        account = account_for_session(container_of(request).store, uid, stamp)
        if account is None:
            end_session(request)  # disabled, deleted or password changed: sign out
    request.state.account = account or False
    return account


async def check_csrf(request: Request) -> None:
    """Reject a state-changing, cookie-authenticated request without this session's token."""
    if request.method in SAFE_METHODS or _bearer(request) is not None:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(str(expected), sent):
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


def api_account(request: Request) -> Account:
    """The API caller: a personal token (Authorization: Bearer) or the browser session."""
    token = _bearer(request)
    if token is not None:
        account = account_for_token(container_of(request).store, token)
        if account is None:
            raise HTTPException(
                status_code=401,
                detail="invalid or revoked API token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return account
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
