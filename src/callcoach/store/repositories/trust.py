"""Trust in criteria: the cached agreement figures and managers' opt-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcoach.store.models import (
    CalibrationRow,
    CriterionOptInRow,
    EvidenceFeedbackRow,
    HumanRatingRow,
    RubricVersionRow,
    TrustReportRow,
)
from callcoach.store.repositories.calls import now_utc


@dataclass(frozen=True)
class CachedTrust:
    rubric_version_pk: int
    scorer: str
    stamp: str
    figures: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class OptIn:
    criterion_id: str
    opted_in: bool
    decided_by: str
    decided_at: datetime
    note: str | None


class TrustRepository:
    # No read returns a person's rows: the figures are aggregates over every judgement, the
    # stamp counts, the opt-ins are a manager's decision on a criterion.
    UNSCOPED: ClassVar[dict[str, str]] = {
        "judgement_stamp": "counts and last ids of the verdicts and ratings, no row",
        "report": "agreement figures aggregated over every judgement, no person's rows",
        "save_report": "write",
        "opt_ins": "decisions on criteria, no person's rows",
        "set_opt_in": "write",
    }

    def __init__(self, session: Session) -> None:
        self.session = session

    def judgement_stamp(self, rubric_pk: int, rubric_version_pk: int, scorer: str) -> str:
        """What the figures depend on, read with four aggregate queries (no row is loaded).

        A verdict added, changed (its time moves) or removed, a rating imported or overridden,
        a new calibration or a rubric edit each change the stamp."""
        feedback = self.session.execute(
            select(
                func.count(EvidenceFeedbackRow.id),
                func.max(EvidenceFeedbackRow.id),
                func.max(EvidenceFeedbackRow.created_at),
            ).where(EvidenceFeedbackRow.rubric_id == rubric_pk)
        ).one()
        ratings = self.session.execute(
            select(
                func.count(HumanRatingRow.id),
                func.max(HumanRatingRow.id),
                func.max(HumanRatingRow.created_at),
            ).where(HumanRatingRow.rubric_id == rubric_pk)
        ).one()
        content = self.session.scalar(
            select(RubricVersionRow.content_hash).where(RubricVersionRow.id == rubric_version_pk)
        )
        calibrated = self.session.scalar(
            select(func.max(CalibrationRow.created_at))
            .join(RubricVersionRow, CalibrationRow.rubric_version_id == RubricVersionRow.id)
            .where(RubricVersionRow.rubric_id == rubric_pk, CalibrationRow.scorer == scorer)
        )
        return "|".join(str(part) for part in (*feedback, *ratings, content, calibrated, scorer))

    def report(self, rubric_version_pk: int, scorer: str) -> CachedTrust | None:
        row = self.session.scalar(
            select(TrustReportRow).where(
                TrustReportRow.rubric_version_id == rubric_version_pk,
                TrustReportRow.scorer == scorer,
            )
        )
        if row is None:
            return None
        return CachedTrust(
            row.rubric_version_id, row.scorer, row.stamp, dict(row.figures), row.created_at
        )

    def save_report(
        self, rubric_version_pk: int, scorer: str, stamp: str, figures: dict[str, Any]
    ) -> None:
        row = self.session.scalar(
            select(TrustReportRow).where(
                TrustReportRow.rubric_version_id == rubric_version_pk,
                TrustReportRow.scorer == scorer,
            )
        )
        if row is None:
            row = TrustReportRow(rubric_version_id=rubric_version_pk, scorer=scorer)
            self.session.add(row)
        row.stamp = stamp
        row.figures = figures
        row.created_at = now_utc()
        self.session.flush()

    def opt_ins(self, rubric_pk: int) -> dict[str, OptIn]:
        rows = self.session.scalars(
            select(CriterionOptInRow).where(CriterionOptInRow.rubric_id == rubric_pk)
        )
        return {
            r.criterion_id: OptIn(r.criterion_id, r.opted_in, r.decided_by, r.decided_at, r.note)
            for r in rows
        }

    def set_opt_in(
        self, rubric_pk: int, criterion_id: str, opted_in: bool, by: str, note: str | None
    ) -> bool:
        """Record the decision; returns True when it changed anything."""
        row = self.session.scalar(
            select(CriterionOptInRow).where(
                CriterionOptInRow.rubric_id == rubric_pk,
                CriterionOptInRow.criterion_id == criterion_id,
            )
        )
        if row is not None and row.opted_in == opted_in:
            return False
        if row is None:
            row = CriterionOptInRow(rubric_id=rubric_pk, criterion_id=criterion_id)
            self.session.add(row)
        row.opted_in = opted_in
        row.decided_by = by
        row.note = note
        row.decided_at = now_utc()
        self.session.flush()
        return True
