"""Server-side web sessions: one row per signed-in browser, found by the hash of its cookie."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from callcoach.store.models import WebSessionRow


@dataclass(frozen=True)
class StoredSession:
    id: int
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    user_agent: str | None
    client: str | None
    ended_at: datetime | None
    end_reason: str | None


def _stored(row: WebSessionRow) -> StoredSession:
    return StoredSession(
        id=row.id,
        user_id=row.user_id,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        user_agent=row.user_agent,
        client=row.client,
        ended_at=row.ended_at,
        end_reason=row.end_reason,
    )


class WebSessionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        user_pk: int,
        token_hash: str,
        now: datetime,
        user_agent: str | None,
        client: str | None,
    ) -> StoredSession:
        row = WebSessionRow(
            user_id=user_pk,
            token_hash=token_hash,
            created_at=now,
            last_seen_at=now,
            user_agent=(user_agent or "")[:300] or None,
            client=(client or "")[:100] or None,
        )
        self.session.add(row)
        self.session.flush()
        return _stored(row)

    def by_hash(self, token_hash: str) -> WebSessionRow | None:
        return self.session.scalar(
            select(WebSessionRow).where(WebSessionRow.token_hash == token_hash)
        )

    def get(self, session_pk: int) -> WebSessionRow | None:
        return self.session.get(WebSessionRow, session_pk)

    def of_user(self, user_pk: int, *, live_only: bool = True) -> list[StoredSession]:
        query = select(WebSessionRow).where(WebSessionRow.user_id == user_pk)
        if live_only:
            query = query.where(WebSessionRow.ended_at.is_(None))
        rows = self.session.scalars(query.order_by(WebSessionRow.last_seen_at.desc()))
        return [_stored(row) for row in rows]

    def end(self, session_pk: int, now: datetime, reason: str) -> None:
        self.session.execute(
            update(WebSessionRow)
            .where(WebSessionRow.id == session_pk, WebSessionRow.ended_at.is_(None))
            .values(ended_at=now, end_reason=reason)
        )

    def end_all(self, user_pk: int, now: datetime, reason: str, *, keep: int | None = None) -> int:
        """End every live session of a user (but `keep`); the number ended."""
        query = update(WebSessionRow).where(
            WebSessionRow.user_id == user_pk, WebSessionRow.ended_at.is_(None)
        )
        if keep is not None:
            query = query.where(WebSessionRow.id != keep)
        result = self.session.execute(query.values(ended_at=now, end_reason=reason))
        return int(getattr(result, "rowcount", 0) or 0)

    def prune(self, ended_before: datetime, seen_before: datetime) -> None:
        """Forget sessions ended, or idle past any timeout, long ago (the table stays small)."""
        self.session.execute(
            delete(WebSessionRow).where(
                or_(
                    WebSessionRow.ended_at < ended_before,
                    WebSessionRow.last_seen_at < seen_before,
                )
            )
        )
