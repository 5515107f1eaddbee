"""The audit log: overrides, rubric changes, user changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcoach.store.models import AuditLogRow
from callcoach.store.repositories.calls import now_utc


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any]


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, actor: str | None, action: str, target: str | None, **detail: Any) -> None:
        self.session.add(
            AuditLogRow(
                at=now_utc(), actor=actor or "cli", action=action, target=target, detail=detail
            )
        )

    def recent(self, limit: int = 100, action_prefix: str | None = None) -> list[AuditEntry]:
        query = select(AuditLogRow).order_by(AuditLogRow.at.desc(), AuditLogRow.id.desc())
        if action_prefix:
            query = query.where(AuditLogRow.action.startswith(action_prefix))
        return [
            AuditEntry(r.at, r.actor, r.action, r.target, dict(r.detail or {}))
            for r in self.session.scalars(query.limit(limit))
        ]
