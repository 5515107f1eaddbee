"""Teams and reps."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Date,
    ForeignKey,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callcoach.store.models.base import Base


class TeamRow(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    manager: Mapped[str | None] = mapped_column(String(200))
    manager_email: Mapped[str | None] = mapped_column(String(320))
    # The rubric the team is reported on (docs/rubrics.md, "Who changes a rubric"); None: the
    # organisation's default rubric (CALLCOACH_DEFAULT_RUBRIC).
    rubric_id: Mapped[int | None] = mapped_column(ForeignKey("rubrics.id"), index=True)


class RepRow(Base):
    __tablename__ = "reps"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    manager: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date | None] = mapped_column(Date)
    team: Mapped[TeamRow | None] = relationship(lazy="joined")
