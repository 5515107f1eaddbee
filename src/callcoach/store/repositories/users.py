"""Web accounts: users, their teams, personal API tokens and login attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from callcoach.store.models import (
    ApiTokenRow,
    LoginAttemptRow,
    RepRow,
    TeamRow,
    UserRow,
    UserTeamRow,
)
from callcoach.store.repositories.calls import now_utc


@dataclass(frozen=True)
class StoredUser:
    id: int
    username: str
    email: str | None
    role: str
    rep: str | None
    teams: tuple[str, ...]
    active: bool
    created_at: datetime
    password_hash: str


@dataclass(frozen=True)
class StoredToken:
    id: int
    username: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool
    scope: str
    expires_at: datetime | None


def stored_token(row: ApiTokenRow, username: str) -> StoredToken:
    return StoredToken(
        id=row.id,
        username=username,
        name=row.name,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked=row.revoked,
        scope=row.scope,
        expires_at=row.expires_at,
    )


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # users
    def _teams_of(self, user_pks: list[int]) -> dict[int, tuple[str, ...]]:
        if not user_pks:
            return {}
        rows = self.session.execute(
            select(UserTeamRow.user_id, TeamRow.name)
            .join(TeamRow, UserTeamRow.team_id == TeamRow.id)
            .where(UserTeamRow.user_id.in_(user_pks))
            .order_by(TeamRow.name)
        )
        teams: dict[int, list[str]] = {}
        for user_pk, name in rows:
            teams.setdefault(user_pk, []).append(name)
        return {pk: tuple(names) for pk, names in teams.items()}

    def _stored(self, rows: list[tuple[UserRow, str | None]]) -> list[StoredUser]:
        teams = self._teams_of([row.id for row, _ in rows])
        return [
            StoredUser(
                id=row.id,
                username=row.username,
                email=row.email,
                role=row.role,
                rep=rep_name,
                teams=teams.get(row.id, ()),
                active=row.active,
                created_at=row.created_at,
                password_hash=row.password_hash,
            )
            for row, rep_name in rows
        ]

    def _find(self, *conditions: Any) -> list[StoredUser]:
        query = (
            select(UserRow, RepRow.name)
            .outerjoin(RepRow, UserRow.rep_id == RepRow.id)
            .where(*conditions)
            .order_by(UserRow.username)
        )
        return self._stored([(row, rep) for row, rep in self.session.execute(query)])

    def row(self, username: str) -> UserRow | None:
        return self.session.scalar(
            select(UserRow).where(func.lower(UserRow.username) == username.strip().lower())
        )

    def get(self, username: str) -> StoredUser | None:
        found = self._find(func.lower(UserRow.username) == username.strip().lower())
        return found[0] if found else None

    def get_by_id(self, user_pk: int) -> StoredUser | None:
        found = self._find(UserRow.id == user_pk)
        return found[0] if found else None

    def all_users(self) -> list[StoredUser]:
        return self._find()

    def add(
        self,
        username: str,
        password_hash: str,
        role: str,
        email: str | None,
        rep_id: int | None,
        team_ids: list[int],
    ) -> UserRow:
        row = UserRow(
            username=username,
            email=email,
            password_hash=password_hash,
            role=role,
            rep_id=rep_id,
            active=True,
            created_at=now_utc(),
        )
        self.session.add(row)
        self.session.flush()
        self.set_teams(row.id, team_ids)
        return row

    def set_teams(self, user_pk: int, team_ids: list[int]) -> None:
        self.session.execute(delete(UserTeamRow).where(UserTeamRow.user_id == user_pk))
        for team_id in sorted(set(team_ids)):
            self.session.add(UserTeamRow(user_id=user_pk, team_id=team_id))
        self.session.flush()

    def count_active_admins(self) -> int:
        return int(
            self.session.scalar(
                select(func.count(UserRow.id)).where(
                    UserRow.role == "admin", UserRow.active.is_(True)
                )
            )
            or 0
        )

    # personal API tokens (only the hash is kept)
    def add_token(
        self,
        user_pk: int,
        name: str,
        token_hash: str,
        scope: str,
        expires_at: datetime | None,
    ) -> ApiTokenRow:
        row = ApiTokenRow(
            user_id=user_pk,
            name=name,
            token_hash=token_hash,
            created_at=now_utc(),
            scope=scope,
            expires_at=expires_at,
            revoked=False,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def token_row(self, token_hash: str) -> ApiTokenRow | None:
        return self.session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash))

    def tokens(self, user_pk: int | None = None) -> list[StoredToken]:
        query = (
            select(ApiTokenRow, UserRow.username)
            .join(UserRow, ApiTokenRow.user_id == UserRow.id)
            .order_by(UserRow.username, ApiTokenRow.id)
        )
        if user_pk is not None:
            query = query.where(ApiTokenRow.user_id == user_pk)
        return [stored_token(t, username) for t, username in self.session.execute(query)]

    def token_by_id(self, token_pk: int) -> ApiTokenRow | None:
        return self.session.get(ApiTokenRow, token_pk)

    def revoke_tokens(self, user_pk: int) -> int:
        """Revoke every live token of a user; the number revoked."""
        result = self.session.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.user_id == user_pk, ApiTokenRow.revoked.is_(False))
            .values(revoked=True)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    # login attempts (rate limiting)
    def record_attempt(self, username: str, client: str | None, success: bool) -> None:
        self.session.add(
            LoginAttemptRow(
                username=username.strip().lower()[:200],
                client=(client or "")[:100] or None,
                success=success,
                at=now_utc(),
            )
        )

    def recent_failures(
        self, username: str, client: str | None, since: datetime
    ) -> tuple[int, datetime | None]:
        """Failures for this username from this client since `since`, after the last success."""
        name = username.strip().lower()[:200]
        client_value = (client or "")[:100] or None
        client_match = (
            LoginAttemptRow.client.is_(None)
            if client_value is None
            else LoginAttemptRow.client == client_value
        )
        last_success = self.session.scalar(
            select(func.max(LoginAttemptRow.at)).where(
                LoginAttemptRow.username == name,
                client_match,
                LoginAttemptRow.success.is_(True),
                LoginAttemptRow.at >= since,
            )
        )
        start = max(since, last_success) if last_success else since
        count, oldest = self.session.execute(
            select(func.count(LoginAttemptRow.id), func.min(LoginAttemptRow.at)).where(
                LoginAttemptRow.username == name,
                client_match,
                LoginAttemptRow.success.is_(False),
                LoginAttemptRow.at >= start,
            )
        ).one()
        return int(count or 0), oldest

    def prune_attempts(self, before: datetime) -> None:
        self.session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < before))
