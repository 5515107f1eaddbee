"""Values the application generates and keeps: the session signing key, background job records."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from callcoach.store.models import AppSettingRow
from callcoach.store.repositories.calls import now_utc


class AppSettingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> str | None:
        row = self.session.get(AppSettingRow, key)
        return row.value if row else None

    def put(self, key: str, value: str) -> None:
        row = self.session.get(AppSettingRow, key)
        if row is None:
            self.session.add(AppSettingRow(key=key, value=value, created_at=now_utc()))
        else:
            row.value = value
        self.session.flush()

    def with_prefix(self, prefix: str, limit: int = 20) -> list[tuple[str, str]]:
        """The newest values whose key starts with `prefix`."""
        rows = self.session.scalars(
            select(AppSettingRow)
            .where(AppSettingRow.key.startswith(prefix, autoescape=True))
            .order_by(AppSettingRow.created_at.desc())
            .limit(limit)
        )
        return [(r.key, r.value) for r in rows]

    def get_or_create(self, key: str, make: Callable[[], str]) -> str:
        """The kept value, created with `make()` on first use (two processes racing agree)."""
        existing = self.get(key)
        if existing is not None:
            return existing
        value = make()
        try:
            with self.session.begin_nested():
                self.session.add(AppSettingRow(key=key, value=value, created_at=now_utc()))
        except IntegrityError:
            kept = self.get(key)
            if kept is None:
                raise
            return kept
        return value
