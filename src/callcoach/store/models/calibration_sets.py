"""Calibration sets: the same few calls rated blind by two or more managers (rule: a calibration
session; agreement within one point on 80% of levels before a rubric is trusted)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from callcoach.store.models.base import Base


class CalibrationSetRow(Base):
    __tablename__ = "calibration_sets"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id"))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Set when every rater has rated every call: the ratings are then released to everyone
    # who may see the set and to `agreement` (as ordinary ratings of source "import").
    released_at: Mapped[datetime | None] = mapped_column(DateTime)


class CalibrationSetCallRow(Base):
    __tablename__ = "calibration_set_calls"
    __table_args__ = (UniqueConstraint("set_id", "call_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_sets.id", ondelete="CASCADE"), index=True
    )
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)


class CalibrationSetRaterRow(Base):
    __tablename__ = "calibration_set_raters"
    __table_args__ = (UniqueConstraint("set_id", "username"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_sets.id", ondelete="CASCADE"), index=True
    )
    username: Mapped[str] = mapped_column(String(200))


class CalibrationSetRatingRow(Base):
    """A rater's level, hidden from the other raters until the set is released."""

    __tablename__ = "calibration_set_ratings"
    __table_args__ = (UniqueConstraint("set_id", "call_id", "criterion_id", "username"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_sets.id", ondelete="CASCADE"), index=True
    )
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    criterion_id: Mapped[str] = mapped_column(String(100))
    username: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime] = mapped_column(DateTime)
