"""Practice assignments. Every read takes the viewer's `Scope` (a rep reads their own, a
manager their teams', an administrator all), applied in the SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcoach.domain.access import Scope
from callcoach.domain.assignments import Assignment, AssignmentSource, TargetKind
from callcoach.store.models import PracticeAssignmentRow, RepRow, RubricRow
from callcoach.store.repositories.calls import now_utc
from callcoach.store.repositories.scoping import scoped


class AssignmentRepository:
    UNSCOPED: ClassVar[dict[str, str]] = {
        "add": "a write: the service checks the assigning manager's scope first",
    }

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, assignment: Assignment, *, rep_pk: int, rubric_pk: int) -> int:
        row = PracticeAssignmentRow(
            rep_id=rep_pk,
            rubric_id=rubric_pk,
            target_kind=assignment.target_kind.value,
            target=assignment.target,
            sessions=assignment.sessions,
            due=assignment.due,
            source=assignment.source.value,
            assigned_by=assignment.assigned_by,
            assigned_on=assignment.assigned_on,
            review_id=assignment.review_id,
            note=assignment.note,
            created_at=now_utc(),
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def list(
        self,
        *,
        scope: Scope,
        rep_pks: Sequence[int] | None = None,
        review_id: int | None = None,
        source: AssignmentSource | None = None,
        since: datetime | None = None,
        ids: Sequence[int] | None = None,
    ) -> list[tuple[Assignment, int]]:
        """(assignment, rep pk), oldest first."""
        query = (
            select(PracticeAssignmentRow, RepRow.name, RubricRow.slug)
            .join(RepRow, RepRow.id == PracticeAssignmentRow.rep_id)
            .join(RubricRow, RubricRow.id == PracticeAssignmentRow.rubric_id)
        )
        query = scoped(query, PracticeAssignmentRow.rep_id, scope)
        if rep_pks is not None:
            query = query.where(PracticeAssignmentRow.rep_id.in_(list(rep_pks)))
        if review_id is not None:
            query = query.where(PracticeAssignmentRow.review_id == review_id)
        if source is not None:
            query = query.where(PracticeAssignmentRow.source == source.value)
        if since is not None:
            query = query.where(PracticeAssignmentRow.assigned_on >= since.date())
        if ids is not None:
            query = query.where(PracticeAssignmentRow.id.in_(list(ids)))
        query = query.order_by(PracticeAssignmentRow.assigned_on, PracticeAssignmentRow.id)
        return [
            (
                Assignment(
                    id=row.id,
                    rep=rep,
                    rubric=rubric,
                    target_kind=TargetKind(row.target_kind),
                    target=row.target,
                    sessions=row.sessions,
                    due=row.due,
                    source=AssignmentSource(row.source),
                    assigned_by=row.assigned_by,
                    assigned_on=row.assigned_on,
                    review_id=row.review_id,
                    note=row.note,
                ),
                row.rep_id,
            )
            for row, rep, rubric in self.session.execute(query)
        ]
