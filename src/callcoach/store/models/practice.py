"""Practice: scenarios cut from moments, sessions, their attempts and turns (issue 17).

Practice scores live only on `practice_attempts`: they never enter `score_runs` or
`criterion_scores`, so real-call scorecards cannot read them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcoach.store.models.base import Base


class PracticeScenarioRow(Base):
    __tablename__ = "practice_scenarios"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # moment, rehearsal
    # The rep who practises it (a moment), or whose persona is rehearsed against (a rehearsal).
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    persona: Mapped[dict[str, Any]] = mapped_column(JSON)
    context: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    opening_line: Mapped[str] = mapped_column(Text)
    goal: Mapped[dict[str, Any]] = mapped_column(JSON)
    criterion_id: Mapped[str] = mapped_column(String(100), index=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id"))
    rubric_version: Mapped[int] = mapped_column(Integer)
    difficulty: Mapped[int] = mapped_column(Integer)
    turn_limit: Mapped[int] = mapped_column(Integer)
    source_call_id: Mapped[int | None] = mapped_column(
        ForeignKey("calls.id", ondelete="SET NULL"), index=True
    )
    source_segment: Mapped[int | None] = mapped_column(Integer)
    original_level: Mapped[int | None] = mapped_column(Integer)
    original_quote: Mapped[str | None] = mapped_column(Text)
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), index=True
    )
    origin: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)


class PracticeSessionRow(Base):
    __tablename__ = "practice_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("practice_scenarios.id", ondelete="CASCADE"), index=True
    )
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"), index=True)  # the scenario's rep
    started_by: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class PracticeAttemptRow(Base):
    __tablename__ = "practice_attempts"
    __table_args__ = (UniqueConstraint("session_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("practice_sessions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    level: Mapped[int | None] = mapped_column(Integer)  # the score's level, for quick reads
    score: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    debrief: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    scored_at: Mapped[datetime | None] = mapped_column(DateTime)


class PracticeTurnRow(Base):
    __tablename__ = "practice_turns"
    __table_args__ = (UniqueConstraint("attempt_id", "idx"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("practice_attempts.id", ondelete="CASCADE"), index=True
    )
    idx: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(20))  # practitioner, persona
    text: Mapped[str] = mapped_column(Text)
    via: Mapped[str] = mapped_column(String(10))  # text, voice
    source: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
