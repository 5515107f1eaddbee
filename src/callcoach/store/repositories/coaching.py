"""Coaching events: who was coached on which criterion, when, by whom."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from callcoach.domain.access import Scope
from callcoach.domain.scores import CoachingEvent
from callcoach.store.models import Base, CoachingEventRow, RepRow, RubricRow
from callcoach.store.repositories.calls import now_utc
from callcoach.store.repositories.scoping import scoped


def _table(model: type[Base]) -> Table:
    """The Core table of a model: multi-row INSERTs skip the ORM's per-object work."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


class CoachingRepository:
    UNSCOPED: ClassVar[dict[str, str]] = {"add_many": "write", "add": "write"}

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_many(
        self, events: Sequence[CoachingEvent], rep_ids: dict[str, int], rubric_pk: int
    ) -> int:
        """Record events whose rep is known; returns how many were recorded."""
        created = now_utc()
        rows = [
            {
                "rep_id": rep_ids[e.rep],
                "rubric_id": rubric_pk,
                "criterion_id": e.criterion_id,
                "coached_on": e.coached_on,
                "note": e.note,
                "coach": e.coach,
                "created_at": created,
            }
            for e in events
            if e.rep in rep_ids
        ]
        if rows:
            self.session.execute(insert(_table(CoachingEventRow)), rows)
        return len(rows)

    def events(self, rubric_slug: str | None = None, *, scope: Scope) -> list[CoachingEvent]:
        """Every recorded event of the reps the scope allows, oldest first."""
        query = (
            select(CoachingEventRow, RepRow.name, RubricRow.slug)
            .join(RepRow, RepRow.id == CoachingEventRow.rep_id)
            .join(RubricRow, RubricRow.id == CoachingEventRow.rubric_id)
            .order_by(CoachingEventRow.coached_on, CoachingEventRow.id)
        )
        if rubric_slug is not None:
            query = query.where(RubricRow.slug == rubric_slug)
        query = scoped(query, CoachingEventRow.rep_id, scope)
        return [
            CoachingEvent(
                rep=rep,
                criterion_id=row.criterion_id,
                rubric_id=slug,
                coached_on=row.coached_on,
                note=row.note,
                coach=row.coach,
                id=row.id,
            )
            for row, rep, slug in self.session.execute(query)
        ]

    # one-at-a-time writes and scoped reads for the assessment services
    def add(
        self,
        rep_pk: int,
        rubric_pk: int,
        criterion_id: str,
        coached_on: date,
        note: str | None,
        coach: str | None,
    ) -> int:
        result = self.session.connection().execute(
            insert(CoachingEventRow)
            .values(
                rep_id=rep_pk,
                rubric_id=rubric_pk,
                criterion_id=criterion_id,
                coached_on=coached_on,
                note=note,
                coach=coach,
                created_at=now_utc(),
            )
            .returning(CoachingEventRow.id)
        )
        return int(result.scalar_one())

    def rows(
        self, rubric_pk: int, rep_ids: Sequence[int] | None, *, scope: Scope
    ) -> list[tuple[int, int, str, str, date, str | None, str | None]]:
        """(event id, rep pk, rep, criterion, coached on, note, coach), oldest first, of these
        reps (None: every rep) that the scope allows."""
        query = (
            select(
                CoachingEventRow.id,
                RepRow.id,
                RepRow.name,
                CoachingEventRow.criterion_id,
                CoachingEventRow.coached_on,
                CoachingEventRow.note,
                CoachingEventRow.coach,
            )
            .join(RepRow, RepRow.id == CoachingEventRow.rep_id)
            .where(CoachingEventRow.rubric_id == rubric_pk)
            .order_by(CoachingEventRow.coached_on, CoachingEventRow.id)
        )
        if rep_ids is not None:
            query = query.where(CoachingEventRow.rep_id.in_(list(rep_ids)))
        query = scoped(query, CoachingEventRow.rep_id, scope)
        return [
            (r[0], r[1], r[2], r[3], r[4], r[5], r[6])
            for r in self.session.connection().execute(query)
        ]
