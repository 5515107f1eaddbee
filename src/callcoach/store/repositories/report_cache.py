"""Reports the web server processes share (web/report_cache.py decides what and when)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from callcoach.store.models import ReportCacheRow


class ReportCacheRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> tuple[str, datetime, bytes] | None:
        """(stamp, created at, payload) of the entry, if any."""
        row = (
            self.session.connection()
            .execute(
                select(
                    ReportCacheRow.stamp, ReportCacheRow.created_at, ReportCacheRow.payload
                ).where(ReportCacheRow.key == key)
            )
            .first()
        )
        return (row[0], row[1], bytes(row[2])) if row else None

    def put(self, key: str, stamp: str, payload: bytes, created_at: datetime) -> None:
        """Store (or replace) an entry. Two processes writing the same key at once both hold
        the same report; the later one stays."""
        connection = self.session.connection()
        connection.execute(delete(ReportCacheRow).where(ReportCacheRow.key == key))
        connection.execute(
            insert(ReportCacheRow).values(
                key=key, stamp=stamp, payload=payload, created_at=created_at
            )
        )

    def prune(self, before: datetime) -> int:
        """Drop entries created before `before` (expired): the table stays small."""
        result = self.session.connection().execute(
            delete(ReportCacheRow).where(ReportCacheRow.created_at < before)
        )
        return int(result.rowcount or 0)
