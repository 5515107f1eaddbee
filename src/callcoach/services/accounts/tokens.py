"""Personal API tokens: a scope (read or write), an optional expiry, revocable.

A token is a 256-bit random value shown once and kept as a SHA-256 hash: a fast hash is enough
for a random secret (a slow password hash protects guessable ones) and it lets a request find
its token in one indexed lookup. A read token may only read (GET, HEAD, OPTIONS); a write token
may do whatever its owner may. Either sees exactly what its owner sees.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from callcoach.domain.access import SYSTEM, Viewer
from callcoach.services.accounts.users import (
    Account,
    AuthenticationError,
    account_of,
    require_admin,
    require_user,
)
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.store.repositories.calls import now_utc
from callcoach.store.repositories.users import StoredToken, stored_token
from callcoach.store.uow import Store

TOKEN_PREFIX = "cc_"
READ = "read"
WRITE = "write"
TOKEN_SCOPES = (READ, WRITE)
_DURATION = re.compile(r"^(\d+)\s*([hdwy])$")
_UNIT_HOURS = {"h": 1, "d": 24, "w": 24 * 7, "y": 24 * 365}


@dataclass(frozen=True)
class TokenGrant:
    """What a valid bearer token allows: its owner's account, read-only or not."""

    account: Account
    token_id: int
    scope: str

    @property
    def read_only(self) -> bool:
        return self.scope != WRITE


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _own(actor: Viewer, username: str) -> bool:
    return actor is not SYSTEM and actor.username.lower() == username.strip().lower()


def parse_scope(scope: str) -> str:
    value = scope.strip().lower()
    aliases = {"read-only": READ, "readonly": READ, "read-write": WRITE, "readwrite": WRITE}
    value = aliases.get(value, value)
    if value not in TOKEN_SCOPES:
        raise ServiceError(f"unknown token scope {scope!r}: use read (read-only) or write")
    return value


def parse_expiry(text: str | None, now: datetime | None = None) -> datetime | None:
    """When a token stops working: none, a day (valid through its end, UTC), or a duration
    from now (`12h`, `30d`, `8w`, `1y`)."""
    if text is None or not text.strip() or text.strip().lower() in ("never", "none"):
        return None
    now = now or now_utc()
    value = text.strip().lower()
    match = _DURATION.match(value)
    if match:
        hours = int(match.group(1)) * _UNIT_HOURS[match.group(2)]
        if hours <= 0:
            raise ServiceError(f"token expiry {text!r}: the duration must be positive")
        return now + timedelta(hours=hours)
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise ServiceError(
            f"token expiry {text!r}: give a date (2027-01-31) or a duration (12h, 30d, 8w, 1y)"
        ) from exc
    expires = datetime(day.year, day.month, day.day) + timedelta(days=1)
    if expires <= now:
        raise ServiceError(f"token expiry {text!r} is in the past")
    return expires


def expiry_label(expires_at: datetime | None) -> str:
    """An expiry as people read it: a date-only expiry is the last day it is valid."""
    if expires_at is None:
        return "never"
    if expires_at.time() == datetime.min.time():
        return f"end of {(expires_at - timedelta(days=1)).date().isoformat()} UTC"
    return f"{expires_at.isoformat(sep=' ', timespec='minutes')} UTC"


def create_token(
    store: Store,
    username: str,
    name: str,
    actor: Viewer = SYSTEM,
    *,
    scope: str = READ,
    expires_at: datetime | None = None,
) -> tuple[StoredToken, str]:
    """A new personal API token for `username`; returns it with its plain value (shown once)."""
    if not _own(actor, username):
        require_admin(actor, "create tokens for another user")
    parsed_scope = parse_scope(scope)
    if expires_at is not None and expires_at <= now_utc():
        raise ServiceError("the token's expiry is in the past")
    name = name.strip() or "token"
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.unit_of_work() as uow:
        user = require_user(uow, username)
        row = uow.users.add_token(user.id, name[:200], _token_hash(token), parsed_scope, expires_at)
        uow.audit.record(
            actor.username,
            "user.token.create",
            user.username,
            token=name,
            scope=parsed_scope,
            expires_at=expires_at.isoformat(timespec="minutes") if expires_at else None,
        )
        stored = stored_token(row, user.username)
    return stored, token


def list_tokens(
    store: Store, username: str | None = None, actor: Viewer = SYSTEM
) -> list[StoredToken]:
    if username is None or not (actor is SYSTEM or _own(actor, username)):
        require_admin(actor, "list other users' tokens")
    with store.unit_of_work() as uow:
        user_pk = require_user(uow, username).id if username else None
        return uow.users.tokens(user_pk)


def revoke_token(store: Store, username: str, token: str, actor: Viewer = SYSTEM) -> StoredToken:
    """Revoke one of a user's tokens, named by its id or its name."""
    if not _own(actor, username):
        require_admin(actor, "revoke another user's tokens")
    with store.unit_of_work() as uow:
        user = require_user(uow, username)
        candidates = [
            t
            for t in uow.users.tokens(user.id)
            if not t.revoked and (str(t.id) == token.strip() or t.name == token.strip())
        ]
        if not candidates:
            raise NotFoundError(f"user {user.username!r} has no active token {token!r}")
        if len(candidates) > 1:
            ids = ", ".join(str(t.id) for t in candidates)
            raise ServiceError(f"several tokens are named {token!r}: revoke one by id ({ids})")
        row = uow.users.token_by_id(candidates[0].id)
        assert row is not None
        row.revoked = True
        uow.audit.record(actor.username, "user.token.revoke", user.username, token=row.name)
        return stored_token(row, user.username)


def authenticate_token(store: Store, token: str) -> TokenGrant:
    """What a bearer token allows; AuthenticationError (401) if unknown, revoked, expired, or
    its owner is disabled."""
    invalid = AuthenticationError("invalid or revoked API token")
    if not token.startswith(TOKEN_PREFIX):
        raise invalid
    now = now_utc()
    with store.unit_of_work() as uow:
        row = uow.users.token_row(_token_hash(token))
        if row is None or row.revoked:
            raise invalid
        if row.expires_at is not None and row.expires_at <= now:
            raise AuthenticationError(
                f"this API token expired at {row.expires_at.isoformat(timespec='minutes')} UTC: "
                "create a new one on your account page"
            )
        user = uow.users.get_by_id(row.user_id)
        if user is None or not user.active:
            raise invalid
        # Written at most once a minute: the API must not turn every read into a write.
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
            row.last_used_at = now
        return TokenGrant(account=account_of(user), token_id=row.id, scope=row.scope)
