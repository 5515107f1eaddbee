"""Cached LLM answers, keyed by a digest of everything that shapes the answer.

The key is computed by the LLM scorer (transcript hash, rubric version hash, model, prompt
version and the exact messages); the store only keeps what it is given.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from callcoach.store.models import LlmCacheRow
from callcoach.store.repositories.calls import now_utc


class LlmCacheRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> dict[str, Any] | None:
        row = self.session.scalar(select(LlmCacheRow).where(LlmCacheRow.key == key))
        return dict(row.response) if row is not None else None

    def put(self, key: str, response: dict[str, Any]) -> None:
        """Keep the first answer for a key: two threads asking the same question is not an error."""
        values = {"key": key, "response": response, "created_at": now_utc()}
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql":
            statement: Any = pg_insert(LlmCacheRow).values(**values)
        elif dialect == "sqlite":
            statement = sqlite_insert(LlmCacheRow).values(**values)
        else:
            if self.get(key) is None:
                self.session.add(LlmCacheRow(**values))
                self.session.flush()
            return
        self.session.execute(statement.on_conflict_do_nothing(index_elements=["key"]))

    def count(self) -> int:
        return int(self.session.scalar(select(func.count(LlmCacheRow.id))) or 0)
