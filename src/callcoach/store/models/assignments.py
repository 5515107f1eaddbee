"""Practice assignments: N sessions on a criterion or objection type by a due date."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from callcoach.store.models.base import Base


class PracticeAssignmentRow(Base):
    __tablename__ = "practice_assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"), index=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id"))
    target_kind: Mapped[str] = mapped_column(String(20))  # criterion or objection
    target: Mapped[str] = mapped_column(String(500))
    sessions: Mapped[int] = mapped_column(Integer)
    due: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20))  # manager, plan, coaching_rule
    assigned_by: Mapped[str] = mapped_column(String(200))
    assigned_on: Mapped[date] = mapped_column(Date)
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
