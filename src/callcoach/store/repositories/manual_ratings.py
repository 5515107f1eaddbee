"""Managers' ratings read as levels: the manual-review path of the assessment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from callcoach.domain.access import Scope
from callcoach.store.models import CallRow, HumanRatingRow
from callcoach.store.repositories.analytics_deals import allowed, in_window


class ManualRatingRepository:
    UNSCOPED: ClassVar[dict[str, str]] = {
        "any": "whether anyone rated calls on a rubric, no person's rows",
        "latest_call_date": "the reporting cycle's end: a date, no person's rows",
    }

    def __init__(self, session: Session) -> None:
        self.session = session

    def rows(
        self,
        rubric_pk: int,
        since: datetime | None = None,
        until: datetime | None = None,
        rep_ids: Sequence[int] | None = None,
        *,
        scope: Scope,
    ) -> list[tuple[int, int, str, int | None, str, float, int]]:
        """Managers' ratings for manual review, one row per call and criterion: (call pk, rep
        pk, call date as stored, deal pk, criterion, mean level of its raters, raters)."""
        query = (
            select(
                HumanRatingRow.call_id,
                CallRow.rep_id,
                type_coerce(CallRow.call_date, String),
                CallRow.deal_id,
                HumanRatingRow.criterion_id,
                func.avg(HumanRatingRow.level),
                func.count(func.distinct(HumanRatingRow.rater)),
            )
            .join(CallRow, CallRow.id == HumanRatingRow.call_id)
            .where(HumanRatingRow.rubric_id == rubric_pk, HumanRatingRow.source == "import")
            .group_by(
                HumanRatingRow.call_id,
                CallRow.rep_id,
                CallRow.call_date,
                CallRow.deal_id,
                HumanRatingRow.criterion_id,
            )
        )
        rows = self.session.connection().execute(
            in_window(query, since, until, allowed(scope, rep_ids))
        )
        return [(r[0], r[1], r[2], r[3], r[4], float(r[5]), int(r[6])) for r in rows]

    def any(self, rubric_pk: int) -> bool:
        """Whether any manager rated a call on the rubric (manual review)."""
        query = select(HumanRatingRow.id).where(
            HumanRatingRow.rubric_id == rubric_pk, HumanRatingRow.source == "import"
        )
        return self.session.execute(query.limit(1)).first() is not None

    def latest_call_date(self, rubric_pk: int) -> datetime | None:
        query = (
            select(func.max(CallRow.call_date))
            .join(HumanRatingRow, HumanRatingRow.call_id == CallRow.id)
            .where(HumanRatingRow.rubric_id == rubric_pk, HumanRatingRow.source == "import")
        )
        return self.session.scalar(query)
