"""What the CRM knows: deals, daily activity, quotas."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcoach.store.models.base import Base


class DealRow(Base):
    __tablename__ = "deals"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    account: Mapped[str | None] = mapped_column(String(300))
    amount: Mapped[float | None] = mapped_column(Float)
    stage: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(20), default="open")
    created_date: Mapped[date | None] = mapped_column(Date)
    close_date: Mapped[date | None] = mapped_column(Date)
    verbal_commit_date: Mapped[date | None] = mapped_column(Date)
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("reps.id"), index=True)
    source: Mapped[str | None] = mapped_column(String(50))
    name: Mapped[str | None] = mapped_column(String(300))


class ActivityRow(Base):
    __tablename__ = "activities"
    __table_args__ = (UniqueConstraint("rep_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"))
    day: Mapped[date] = mapped_column(Date)
    calls_made: Mapped[int] = mapped_column(Integer, default=0)
    meetings_booked: Mapped[int] = mapped_column(Integer, default=0)
    proposals_sent: Mapped[int] = mapped_column(Integer, default=0)


class QuotaRow(Base):
    __tablename__ = "quotas"
    __table_args__ = (UniqueConstraint("rep_id", "period_start", "period_end"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    amount: Mapped[float] = mapped_column(Float)
