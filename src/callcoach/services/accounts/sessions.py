"""Web sessions, kept on the server.

Signing in creates a row in `web_sessions`; the browser's cookie carries only a 256-bit random
id, stored as its SHA-256 hash (a copy of the database does not hold usable cookies). Every
request looks the session up, so ending it takes effect at once: signing out, "sign out
everywhere", ending one session from the list, a password change, or disabling the account. An
ended session never comes back, not even when a disabled account is enabled again. A session
also ends after `idle` without a request and `absolute` after sign-in, whichever comes first
(CALLCOACH_SESSION_IDLE_MINUTES, CALLCOACH_SESSION_MAX_HOURS).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from callcoach.domain.access import SYSTEM, Role, Viewer
from callcoach.services.accounts.users import Account, account_of, require_admin, require_user
from callcoach.services.common import NotFoundError
from callcoach.store.repositories.calls import now_utc
from callcoach.store.repositories.web_sessions import StoredSession
from callcoach.store.uow import Store

# How often a live session's last-seen time is written: often enough for the idle timeout
# and the session list, rarely enough that reading pages does not turn into writes.
_TOUCH_EVERY = timedelta(minutes=1)
# Ended and long-idle sessions are deleted this long after, when someone signs in.
_KEEP_ENDED = timedelta(days=30)


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lives: since its last request (idle) and since sign-in (absolute)."""

    idle: timedelta
    absolute: timedelta

    def expires_at(self, created_at: datetime, last_seen_at: datetime) -> datetime:
        return min(last_seen_at + self.idle, created_at + self.absolute)


@dataclass(frozen=True)
class LiveSession:
    """A request's valid session: which row, and whose."""

    id: int
    account: Account


@dataclass(frozen=True)
class SessionInfo:
    """One row of the session list an account's owner sees."""

    id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    user_agent: str | None
    client: str | None
    current: bool


def _hash(session_token: str) -> str:
    return hashlib.sha256(session_token.encode()).hexdigest()


def start_session(
    store: Store,
    account: Account,
    *,
    user_agent: str | None,
    client: str | None,
    replaces: str | None = None,
) -> tuple[LiveSession, str]:
    """A new session for a user who just signed in, and the cookie value that names it.

    A fresh id at every sign-in (no session fixation); the session it `replaces` (the cookie
    the browser sent, if any) ends."""
    token = secrets.token_urlsafe(32)
    now = now_utc()
    with store.unit_of_work() as uow:
        if replaces:
            old = uow.web_sessions.by_hash(_hash(replaces))
            if old is not None:
                uow.web_sessions.end(old.id, now, "signed in again")
        stored = uow.web_sessions.add(account.id, _hash(token), now, user_agent, client)
        uow.web_sessions.prune(now - _KEEP_ENDED, now - _KEEP_ENDED)
    return LiveSession(id=stored.id, account=account), token


def resolve_session(
    store: Store, session_token: str, policy: SessionPolicy, now: datetime | None = None
) -> LiveSession | None:
    """The live session a cookie names, or None (unknown, ended, timed out, account disabled).

    A session found timed out is ended on the spot, with the reason."""
    now = now or now_utc()
    with store.unit_of_work() as uow:
        row = uow.web_sessions.by_hash(_hash(session_token))
        if row is None or row.ended_at is not None:
            return None
        user = uow.users.get_by_id(row.user_id)
        if user is None or not user.active:
            uow.web_sessions.end(row.id, now, "account disabled")
            return None
        if now >= row.created_at + policy.absolute:
            uow.web_sessions.end(row.id, now, "session too old")
            return None
        if now >= row.last_seen_at + policy.idle:
            uow.web_sessions.end(row.id, now, "idle timeout")
            return None
        if now - row.last_seen_at >= min(_TOUCH_EVERY, policy.idle / 10):
            row.last_seen_at = now
        return LiveSession(id=row.id, account=account_of(user))


def end_session(store: Store, session_token: str, reason: str = "signed out") -> None:
    """Sign out: the session a cookie names ends (a replayed copy of the cookie is refused)."""
    with store.unit_of_work() as uow:
        row = uow.web_sessions.by_hash(_hash(session_token))
        if row is not None:
            uow.web_sessions.end(row.id, now_utc(), reason)


def _may_manage(actor: Viewer, username: str) -> None:
    """A user manages their own sessions; an administrator (or the CLI) anyone's."""
    if actor is not SYSTEM and actor.username.lower() != username.strip().lower():
        require_admin(actor, "see or end another user's sessions")


def list_sessions(
    store: Store,
    username: str,
    policy: SessionPolicy,
    actor: Viewer = SYSTEM,
    current: int | None = None,
) -> list[SessionInfo]:
    """A user's live sessions, most recently used first (their owner's, or an admin's view)."""
    _may_manage(actor, username)
    now = now_utc()
    with store.unit_of_work() as uow:
        user = require_user(uow, username)
        stored = uow.web_sessions.of_user(user.id)
    return [
        _info(s, policy, current)
        for s in stored
        if now < policy.expires_at(s.created_at, s.last_seen_at)
    ]


def _info(stored: StoredSession, policy: SessionPolicy, current: int | None) -> SessionInfo:
    return SessionInfo(
        id=stored.id,
        created_at=stored.created_at,
        last_seen_at=stored.last_seen_at,
        expires_at=policy.expires_at(stored.created_at, stored.last_seen_at),
        user_agent=stored.user_agent,
        client=stored.client,
        current=stored.id == current,
    )


def end_one_session(store: Store, username: str, session_id: int, actor: Viewer = SYSTEM) -> None:
    """End one of a user's sessions, by its id in the session list."""
    _may_manage(actor, username)
    with store.unit_of_work() as uow:
        user = require_user(uow, username)
        row = uow.web_sessions.get(session_id)
        if row is None or row.user_id != user.id or row.ended_at is not None:
            raise NotFoundError(f"{user.username!r} has no live session {session_id}")
        reason = "ended from the session list"
        if actor.role is Role.ADMIN and actor.username.lower() != user.username.lower():
            reason = f"ended by administrator {actor.username}"
        uow.web_sessions.end(row.id, now_utc(), reason)
        uow.audit.record(actor.username, "user.session.end", user.username, session=session_id)


def end_all_sessions(
    store: Store, username: str, actor: Viewer = SYSTEM, *, keep: int | None = None
) -> int:
    """Sign out everywhere: every session of the user ends (but `keep`); how many ended."""
    _may_manage(actor, username)
    with store.unit_of_work() as uow:
        user = require_user(uow, username)
        ended = uow.web_sessions.end_all(user.id, now_utc(), "signed out everywhere", keep=keep)
        uow.audit.record(actor.username, "user.session.end_all", user.username, ended=ended)
    return ended
