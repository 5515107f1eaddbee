"""Coaching events: who was coached on which criterion, when, by whom."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from callcoach.domain.scores import CoachingEvent
from callcoach.store.models import Base, CoachingEventRow, RepRow, RubricRow
from callcoach.store.repositories.calls import now_utc


def _table(model: type[Base]) -> Table:
    """The Core table of a model: multi-row INSERTs skip the ORM's per-object work."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


class CoachingRepository:
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

    def events(self, rubric_slug: str | None = None) -> list[CoachingEvent]:
        """Every recorded event, oldest first."""
        query = (
            select(CoachingEventRow, RepRow.name, RubricRow.slug)
            .join(RepRow, RepRow.id == CoachingEventRow.rep_id)
            .join(RubricRow, RubricRow.id == CoachingEventRow.rubric_id)
            .order_by(CoachingEventRow.coached_on, CoachingEventRow.id)
        )
        if rubric_slug is not None:
            query = query.where(RubricRow.slug == rubric_slug)
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
