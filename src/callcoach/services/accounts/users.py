"""Accounts: users and roles, their links to the roster, passwords, login rate limiting.

A user is an administrator (sees everything), a manager (linked to teams: sees those teams' reps,
calls and analytics) or a rep (linked to themself: sees only their own calls, scores and
coaching). The Viewer built here is what every other service filters through.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from callcoach.domain.access import SYSTEM, Role, Scope, Viewer
from callcoach.services.accounts.passwords import (
    DUMMY_HASH,
    check_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.store.repositories.audit import AuditEntry
from callcoach.store.repositories.calls import now_utc
from callcoach.store.repositories.users import StoredUser
from callcoach.store.uow import Store, UnitOfWork

# Rate limiting: this many failed logins for one username from one client inside the window
# lock that pair out until the oldest failure leaves the window.
MAX_LOGIN_FAILURES = 5
LOGIN_WINDOW = timedelta(minutes=15)
SECRET_KEY_SETTING = "web.secret_key"
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@\-]{1,99}$")


class PermissionDeniedError(ServiceError):
    """The asking user's role does not allow this action (for things that are not rep data)."""


class AuthenticationError(ServiceError):
    """Wrong username or password, or a disabled account (indistinguishable on purpose)."""


class LoginThrottledError(ServiceError):
    def __init__(self, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        minutes = max(1, round(retry_after_s / 60))
        super().__init__(
            f"too many failed sign-ins for this account from your address: try again in about "
            f"{minutes} minute{'s' if minutes != 1 else ''}, or ask an administrator to reset "
            "your password"
        )


@dataclass(frozen=True)
class Account:
    """A user as the application sees it (never carries the password hash)."""

    id: int
    username: str
    email: str | None
    role: Role
    rep: str | None
    teams: tuple[str, ...]
    active: bool
    created_at: datetime

    @property
    def viewer(self) -> Viewer:
        return Viewer(
            username=self.username,
            role=self.role,
            rep=self.rep if self.role is Role.REP else None,
            teams=frozenset(self.teams) if self.role is Role.MANAGER else frozenset(),
        )

    @property
    def scope(self) -> str:
        """What this account may see, in words."""
        if self.role is Role.ADMIN:
            return "everything"
        if self.role is Role.REP:
            return f"rep {self.rep}" if self.rep else "nothing (not linked to a rep)"
        return ("teams " + ", ".join(self.teams)) if self.teams else "nothing (no team)"


def account_of(user: StoredUser) -> Account:
    return Account(
        id=user.id,
        username=user.username,
        email=user.email,
        role=Role(user.role),
        rep=user.rep,
        teams=user.teams,
        active=user.active,
        created_at=user.created_at,
    )


def require_admin(viewer: Viewer, action: str) -> None:
    if viewer.role is not Role.ADMIN:
        raise PermissionDeniedError(f"only an administrator can {action}")


def _parse_role(role: str | Role) -> Role:
    try:
        return Role(str(role).lower())
    except ValueError as exc:
        raise ServiceError(f"unknown role {role!r}: use admin, manager or rep") from exc


def require_user(uow: UnitOfWork, username: str) -> StoredUser:
    user = uow.users.get(username)
    if user is None:
        raise NotFoundError(f"no user {username!r} (see `callcoach user list`)")
    return user


def _team_ids(uow: UnitOfWork, teams: Sequence[str]) -> list[int]:
    ids = []
    for name in teams:
        row = uow.people.team_row(name)
        if row is None:
            every = Scope.system("account administration: the teams an account may manage")
            known = ", ".join(t.name for t in uow.people.teams(scope=every)) or "none yet"
            raise ServiceError(
                f"no team {name!r}; teams: {known} (import the roster first: "
                "`callcoach import reps`)"
            )
        ids.append(row.id)
    return ids


def _link(
    uow: UnitOfWork, role: Role, teams: Sequence[str], rep: str | None
) -> tuple[list[int], int | None]:
    """The teams and rep a role is linked to, checked against the roster."""
    if role is Role.REP:
        if not rep:
            raise ServiceError("a rep account needs --rep NAME: the rep whose calls it sees")
        if teams:
            raise ServiceError("a rep account sees only its own calls: give --rep, not --team")
        rep_row = uow.people.rep_row(rep)
        if rep_row is None:
            raise ServiceError(f"no rep {rep!r} in the roster (import it: `callcoach import reps`)")
        return [], rep_row.id
    if rep:
        raise ServiceError("--rep links a rep account; a manager is linked with --team")
    if role is Role.MANAGER and not teams:
        raise ServiceError("a manager account needs at least one --team it manages")
    if role is Role.ADMIN and teams:
        raise ServiceError("an administrator sees every team: --team applies to managers")
    return _team_ids(uow, teams), None


def add_user(
    store: Store,
    username: str,
    role: str | Role,
    password: str,
    *,
    teams: Sequence[str] = (),
    rep: str | None = None,
    email: str | None = None,
    actor: Viewer = SYSTEM,
) -> Account:
    require_admin(actor, "add users")
    username = username.strip()
    if not _USERNAME.match(username):
        raise ServiceError(
            f"username {username!r}: 2-100 letters, digits, '.', '_', '-' or '@', "
            "starting with a letter or digit"
        )
    parsed_role = _parse_role(role)
    check_password(password, (username, email, rep))
    with store.unit_of_work() as uow:
        if uow.users.row(username) is not None:
            raise ServiceError(f"user {username!r} already exists")
        team_ids, rep_id = _link(uow, parsed_role, teams, rep)
        row = uow.users.add(
            username, hash_password(password), parsed_role.value, email, rep_id, team_ids
        )
        uow.audit.record(
            actor.username,
            "user.add",
            username,
            role=parsed_role.value,
            teams=sorted(teams),
            rep=rep,
        )
        return account_of(_user_by_pk(uow, row.id))


def _user_by_pk(uow: UnitOfWork, user_pk: int) -> StoredUser:
    user = uow.users.get_by_id(user_pk)
    if user is None:  # pragma: no cover - just written in the same transaction
        raise NotFoundError(f"no user #{user_pk}")
    return user


def update_user(
    store: Store,
    username: str,
    *,
    role: str | Role | None = None,
    teams: Sequence[str] | None = None,
    rep: str | None = None,
    email: str | None = None,
    actor: Viewer = SYSTEM,
) -> Account:
    """Change a user's role, teams, rep or email (what is not given stays)."""
    require_admin(actor, "change users")
    with store.unit_of_work() as uow:
        user = require_user(uow, username)
        new_role = _parse_role(role) if role is not None else Role(user.role)
        new_teams = list(teams) if teams is not None else list(user.teams)
        new_rep = rep if rep is not None else user.rep
        if new_role is not Role.MANAGER and teams is None:
            new_teams = []
        if new_role is not Role.REP and rep is None:
            new_rep = None
        if user.role == Role.ADMIN.value and new_role is not Role.ADMIN:
            _keep_an_admin(uow, user)
        team_ids, rep_id = _link(uow, new_role, new_teams, new_rep)
        row = uow.users.row(user.username)
        assert row is not None
        row.role = new_role.value
        row.rep_id = rep_id
        if email is not None:
            row.email = email or None
        uow.users.set_teams(row.id, team_ids)
        uow.audit.record(
            actor.username,
            "user.update",
            user.username,
            role=new_role.value,
            teams=sorted(new_teams),
            rep=new_rep,
            before={"role": user.role, "teams": sorted(user.teams), "rep": user.rep},
        )
        return account_of(_user_by_pk(uow, row.id))


def _keep_an_admin(uow: UnitOfWork, user: StoredUser) -> None:
    if user.active and user.role == Role.ADMIN.value and uow.users.count_active_admins() <= 1:
        raise ServiceError(
            f"{user.username!r} is the last active administrator: add another one first"
        )


def list_users(store: Store, actor: Viewer = SYSTEM) -> list[Account]:
    require_admin(actor, "list users")
    with store.unit_of_work() as uow:
        return [account_of(u) for u in uow.users.all_users()]


def get_user(store: Store, username: str, actor: Viewer = SYSTEM) -> Account:
    if actor.role is not Role.ADMIN and actor.username.lower() != username.strip().lower():
        raise NotFoundError(f"no user {username!r}")
    with store.unit_of_work() as uow:
        return account_of(require_user(uow, username))


def set_password(
    store: Store,
    username: str,
    password: str,
    *,
    current_password: str | None = None,
    actor: Viewer = SYSTEM,
    keep_session: int | None = None,
) -> None:
    """Set a password: administrators for anyone; a user for themself with the current one.

    Every web session of the account ends, but `keep_session` (the one changing its own
    password stays signed in)."""
    own = actor.username.lower() == username.strip().lower() and actor is not SYSTEM
    if not own:
        require_admin(actor, "set another user's password")
    with store.unit_of_work() as uow:
        row = uow.users.row(username)
        if row is None:
            raise NotFoundError(f"no user {username!r} (see `callcoach user list`)")
        user = _user_by_pk(uow, row.id)
        if (
            own
            and actor.role is not Role.ADMIN
            and (
                current_password is None or not verify_password(row.password_hash, current_password)
            )
        ):
            raise AuthenticationError("the current password is wrong")
        check_password(password, (user.username, user.email, user.rep))
        row.password_hash = hash_password(password)
        ended = uow.web_sessions.end_all(row.id, now_utc(), "password changed", keep=keep_session)
        uow.audit.record(actor.username, "user.password", row.username, sessions_ended=ended)


def set_active(store: Store, username: str, active: bool, actor: Viewer = SYSTEM) -> Account:
    """Disable (or re-enable) a user.

    Disabling ends the account's web sessions and revokes its API tokens for good: re-enabling
    lets it sign in again, but nothing from before the disable comes back to life."""
    require_admin(actor, "disable or enable users")
    with store.unit_of_work() as uow:
        user = require_user(uow, username)
        if not active:
            _keep_an_admin(uow, user)
        row = uow.users.row(user.username)
        assert row is not None
        row.active = active
        detail: dict[str, int] = {}
        if not active:
            detail["sessions_ended"] = uow.web_sessions.end_all(
                row.id, now_utc(), "account disabled"
            )
            detail["tokens_revoked"] = uow.users.revoke_tokens(row.id)
        action = "user.enable" if active else "user.disable"
        uow.audit.record(actor.username, action, row.username, **detail)
        return account_of(_user_by_pk(uow, row.id))


def authenticate(store: Store, username: str, password: str, client: str | None) -> Account:
    """Check a sign-in. Rate limited per username and client; every attempt is recorded."""
    username = username.strip()
    now = now_utc()
    with store.unit_of_work() as uow:
        failures, oldest = uow.users.recent_failures(username, client, now - LOGIN_WINDOW)
        if failures >= MAX_LOGIN_FAILURES:
            retry = (oldest + LOGIN_WINDOW - now) if oldest else LOGIN_WINDOW
            raise LoginThrottledError(max(1, int(retry.total_seconds())))
        row = uow.users.row(username) if username else None
        ok = verify_password(row.password_hash if row else DUMMY_HASH, password)
        ok = ok and row is not None and row.active
        uow.users.record_attempt(username, client, ok)
        if ok and row is not None and needs_rehash(row.password_hash):
            row.password_hash = hash_password(password)
        user_pk = row.id if ok and row is not None else None
        # Attempts older than a day serve no limit; pruning here keeps the table small.
        uow.users.prune_attempts(now - timedelta(days=1))
    if user_pk is None:
        raise AuthenticationError("wrong username or password")
    with store.unit_of_work() as uow:
        return account_of(_user_by_pk(uow, user_pk))


def session_secret(store: Store, configured: str | None) -> str:
    """The key behind the web forms' CSRF tokens: the configured one, else one generated once
    and kept in the database (so every server process on it shares the key)."""
    if configured:
        return configured
    with store.unit_of_work() as uow:
        return uow.app_settings.get_or_create(SECRET_KEY_SETTING, lambda: secrets.token_urlsafe(48))


def audit_log(
    store: Store, actor: Viewer = SYSTEM, limit: int = 200, action_prefix: str | None = None
) -> list[AuditEntry]:
    """The most recent audited changes: overrides, rubric versions, user changes."""
    require_admin(actor, "read the audit log")
    with store.unit_of_work() as uow:
        return uow.audit.recent(limit, action_prefix)
