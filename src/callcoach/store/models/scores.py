"""Machine scores, human ratings and evidence verdicts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callcoach.store.models.base import Base


class ScoreRunRow(Base):
    """One scorer's verdict on one call against one rubric version (unique: re-scoring updates).

    `content_hash` is the transcript the scorer read: a run whose hash is not the call's current
    one scored text the call no longer has, and is scored again (None: imported from a scores
    file, taken to be about the current text).
    """

    __tablename__ = "score_runs"
    __table_args__ = (UniqueConstraint("call_id", "rubric_version_id", "scorer"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"), index=True)
    scorer: Mapped[str] = mapped_column(String(100))
    scorer_version: Mapped[str] = mapped_column(String(100))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    overall: Mapped[float | None] = mapped_column(Float)
    prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    completion_tokens: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    criteria: Mapped[list[CriterionScoreRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="CriterionScoreRow.id"
    )


class CriterionScoreRow(Base):
    __tablename__ = "criterion_scores"
    __table_args__ = (
        UniqueConstraint("run_id", "criterion_id"),
        # Covers the analytics' per-run read of levels, so it never touches the wide rows.
        Index("ix_criterion_scores_run_levels", "run_id", "criterion_id", "level"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("score_runs.id", ondelete="CASCADE"))
    criterion_id: Mapped[str] = mapped_column(String(100))
    level: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    rationale: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[Any]] = mapped_column(JSON)
    prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    completion_tokens: Mapped[int | None] = mapped_column(Integer)


class HumanRatingRow(Base):
    __tablename__ = "human_ratings"
    __table_args__ = (UniqueConstraint("call_id", "rubric_id", "criterion_id", "rater"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id"))
    criterion_id: Mapped[str] = mapped_column(String(100))
    rater: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer)
    evidence_segment: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20), default="import")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class EvidenceFeedbackRow(Base):
    __tablename__ = "evidence_feedback"
    __table_args__ = (
        UniqueConstraint("call_id", "rubric_id", "criterion_id", "segment_idx", "rater"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id"))
    criterion_id: Mapped[str] = mapped_column(String(100))
    segment_idx: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(20))
    rater: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
