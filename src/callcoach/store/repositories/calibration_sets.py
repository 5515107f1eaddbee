"""Calibration sets: their calls, raters and blind ratings (the only SQL for them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcoach.store.models import (
    CalibrationSetCallRow,
    CalibrationSetRaterRow,
    CalibrationSetRatingRow,
    CalibrationSetRow,
    CallRow,
    RubricRow,
)


@dataclass(frozen=True)
class StoredCalibrationSet:
    id: int
    name: str
    rubric_pk: int
    rubric_slug: str
    created_by: str
    created_at: datetime
    released_at: datetime | None
    calls: list[tuple[int, str, int | None, datetime | None]]  # (pk, id, rep pk, date)
    raters: list[str]


@dataclass(frozen=True)
class SetRating:
    call_pk: int
    criterion_id: str
    username: str
    level: int
    note: str | None


class CalibrationSetRepository:
    # A set is shown only to its creator, its raters and administrators
    # (services/assessment/calibration_sets), and is created only when every rater's scope
    # covers every call in it: who may read a set is its membership, not a rep scope.
    UNSCOPED: ClassVar[dict[str, str]] = {
        "add": "a write",
        "save_rating": "a write",
        "release": "a write",
        "get": "a set, shown only to its members (creation checks their scopes)",
        "all": "the sets, listed only to their members (creation checks their scopes)",
        "ratings": "a set's levels, shown only to its members (blind until released)",
    }

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self, name: str, rubric_pk: int, created_by: str, call_pks: list[int], raters: list[str]
    ) -> int:
        row = CalibrationSetRow(
            name=name, rubric_id=rubric_pk, created_by=created_by, created_at=datetime.now()
        )
        self.session.add(row)
        self.session.flush()
        for position, call_pk in enumerate(call_pks):
            self.session.add(
                CalibrationSetCallRow(set_id=row.id, call_id=call_pk, position=position)
            )
        for username in raters:
            self.session.add(CalibrationSetRaterRow(set_id=row.id, username=username))
        self.session.flush()
        return row.id

    def _stored(self, row: CalibrationSetRow, slug: str) -> StoredCalibrationSet:
        calls = self.session.execute(
            select(CallRow.id, CallRow.external_id, CallRow.rep_id, CallRow.call_date)
            .join(CalibrationSetCallRow, CalibrationSetCallRow.call_id == CallRow.id)
            .where(CalibrationSetCallRow.set_id == row.id)
            .order_by(CalibrationSetCallRow.position)
        ).all()
        raters = self.session.scalars(
            select(CalibrationSetRaterRow.username)
            .where(CalibrationSetRaterRow.set_id == row.id)
            .order_by(CalibrationSetRaterRow.id)
        ).all()
        return StoredCalibrationSet(
            id=row.id,
            name=row.name,
            rubric_pk=row.rubric_id,
            rubric_slug=slug,
            created_by=row.created_by,
            created_at=row.created_at,
            released_at=row.released_at,
            calls=[(c[0], c[1], c[2], c[3]) for c in calls],
            raters=list(raters),
        )

    def get(self, set_id: int) -> StoredCalibrationSet | None:
        found = self.session.execute(
            select(CalibrationSetRow, RubricRow.slug)
            .join(RubricRow, RubricRow.id == CalibrationSetRow.rubric_id)
            .where(CalibrationSetRow.id == set_id)
        ).first()
        return None if found is None else self._stored(found[0], found[1])

    def all(self) -> list[StoredCalibrationSet]:
        rows = self.session.execute(
            select(CalibrationSetRow, RubricRow.slug)
            .join(RubricRow, RubricRow.id == CalibrationSetRow.rubric_id)
            .order_by(CalibrationSetRow.id.desc())
        ).all()
        return [self._stored(row, slug) for row, slug in rows]

    def ratings(self, set_id: int, username: str | None = None) -> list[SetRating]:
        """The set's ratings; with `username`, only that rater's (what a rater may see before
        the set is released)."""
        query = select(CalibrationSetRatingRow).where(CalibrationSetRatingRow.set_id == set_id)
        if username is not None:
            query = query.where(CalibrationSetRatingRow.username == username)
        return [
            SetRating(r.call_id, r.criterion_id, r.username, r.level, r.note)
            for r in self.session.scalars(query.order_by(CalibrationSetRatingRow.id))
        ]

    def save_rating(
        self,
        set_id: int,
        call_pk: int,
        criterion_id: str,
        username: str,
        level: int,
        note: str | None,
    ) -> None:
        row = self.session.scalar(
            select(CalibrationSetRatingRow).where(
                CalibrationSetRatingRow.set_id == set_id,
                CalibrationSetRatingRow.call_id == call_pk,
                CalibrationSetRatingRow.criterion_id == criterion_id,
                CalibrationSetRatingRow.username == username,
            )
        )
        if row is None:
            row = CalibrationSetRatingRow(
                set_id=set_id, call_id=call_pk, criterion_id=criterion_id, username=username
            )
            self.session.add(row)
        row.level = level
        row.note = note
        row.rated_at = datetime.now()
        self.session.flush()

    def release(self, set_id: int) -> None:
        row = self.session.get(CalibrationSetRow, set_id)
        if row is not None and row.released_at is None:
            row.released_at = datetime.now()
            self.session.flush()
