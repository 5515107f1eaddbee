"""Performance reviews: the review, the rep's self-assessment, and the versions of its text."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcoach.store.models.base import Base


class ReviewRow(Base):
    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"), index=True)
    manager: Mapped[str | None] = mapped_column(String(200))  # who prepared it
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id"))
    rubric_version: Mapped[int] = mapped_column(Integer)
    scorer: Mapped[str | None] = mapped_column(String(100))
    as_of: Mapped[date] = mapped_column(Date)
    window_start: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), index=True)
    pack: Mapped[dict[str, Any]] = mapped_column(JSON)  # the snapshot the review reads
    final_ratings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    checkpoint_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("coaching_events.id", ondelete="SET NULL")
    )
    checkpoint_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    shared_at: Mapped[datetime | None] = mapped_column(DateTime)
    held_on: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)


class ReviewSelfAssessmentRow(Base):
    """Entered by the rep before they see the manager's view; kept on record unchanged."""

    __tablename__ = "review_self_assessments"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), unique=True
    )
    ratings: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewDraftRow(Base):
    """One version of the review text with its check; the latest is the current text."""

    __tablename__ = "review_drafts"
    __table_args__ = (UniqueConstraint("review_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # generated, model or edited
    author: Mapped[str] = mapped_column(String(200))
    check: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
