"""Trust in criteria: the measured agreement (a cache keyed by the judgements behind it) and
managers' opt-ins of not-trusted criteria into automatic decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from callcoach.store.models.base import Base


class TrustReportRow(Base):
    """Per-criterion agreement of one rubric version and scorer, measured out of fold.

    `stamp` names the judgements and rubric it was measured on (counts and last ids of verdicts
    and ratings, the rubric's content hash, the calibration's time, the scorer's version): while
    it matches, the figures stand and nothing is recomputed."""

    __tablename__ = "trust_reports"
    __table_args__ = (UniqueConstraint("rubric_version_id", "scorer"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    scorer: Mapped[str] = mapped_column(String(100))
    stamp: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class CriterionOptInRow(Base):
    """A manager's decision to let a not-trusted criterion drive automatic decisions."""

    __tablename__ = "criterion_opt_ins"
    __table_args__ = (UniqueConstraint("rubric_id", "criterion_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id"))
    criterion_id: Mapped[str] = mapped_column(String(100))
    opted_in: Mapped[bool] = mapped_column(Boolean)
    decided_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime)
