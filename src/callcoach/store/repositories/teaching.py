"""What people teach the scorer: evidence feedback (confirm/reject) and fitted calibrations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcoach.domain.access import Scope
from callcoach.domain.scores import EvidenceFeedback, FeedbackVerdict
from callcoach.store.models import CalibrationRow, CallRow, EvidenceFeedbackRow, RubricRow
from callcoach.store.repositories.calls import now_utc
from callcoach.store.repositories.scoping import scoped


@dataclass(frozen=True)
class StoredCalibration:
    rubric_version_pk: int
    scorer: str
    params: dict[str, Any]
    report: dict[str, Any]
    created_at: datetime


class TeachingRepository:
    UNSCOPED: ClassVar[dict[str, str]] = {
        "save_feedback": "write",
        "save_calibration": "write",
        "calibration": "a scorer's fitted parameters, no person's rows",
    }

    def __init__(self, session: Session) -> None:
        self.session = session

    # evidence feedback
    def save_feedback(self, feedback: EvidenceFeedback, call_pk: int, rubric_pk: int) -> bool:
        """Store a verdict; the same rater judging the same segment again replaces it.

        Returns True when the verdict is new (not a change of an earlier one).
        """
        row = self.session.scalar(
            select(EvidenceFeedbackRow).where(
                EvidenceFeedbackRow.call_id == call_pk,
                EvidenceFeedbackRow.rubric_id == rubric_pk,
                EvidenceFeedbackRow.criterion_id == feedback.criterion_id,
                EvidenceFeedbackRow.segment_idx == feedback.segment,
                EvidenceFeedbackRow.rater == feedback.rater,
            )
        )
        created = row is None
        if row is None:
            row = EvidenceFeedbackRow(
                call_id=call_pk,
                rubric_id=rubric_pk,
                criterion_id=feedback.criterion_id,
                segment_idx=feedback.segment,
                rater=feedback.rater,
            )
            self.session.add(row)
        row.verdict = feedback.verdict.value
        row.note = feedback.note
        row.created_at = feedback.created_at or now_utc()
        self.session.flush()
        return created

    def feedback(
        self,
        rubric_slug: str | None = None,
        call_external_id: str | None = None,
        *,
        scope: Scope,
    ) -> list[EvidenceFeedback]:
        """Verdicts on the calls the scope allows, oldest first."""
        query = (
            select(EvidenceFeedbackRow, CallRow.external_id, RubricRow.slug)
            .join(CallRow, EvidenceFeedbackRow.call_id == CallRow.id)
            .join(RubricRow, EvidenceFeedbackRow.rubric_id == RubricRow.id)
            .order_by(EvidenceFeedbackRow.created_at, EvidenceFeedbackRow.id)
        )
        if rubric_slug:
            query = query.where(RubricRow.slug == rubric_slug)
        if call_external_id:
            query = query.where(CallRow.external_id == call_external_id)
        query = scoped(query, CallRow.rep_id, scope)
        return [
            EvidenceFeedback(
                call_id=call_id,
                rubric_id=slug,
                criterion_id=row.criterion_id,
                segment=row.segment_idx,
                verdict=FeedbackVerdict(row.verdict),
                rater=row.rater,
                note=row.note,
                created_at=row.created_at,
            )
            for row, call_id, slug in self.session.execute(query)
        ]

    # calibrations
    def save_calibration(
        self, rubric_version_pk: int, scorer: str, params: dict[str, Any], report: dict[str, Any]
    ) -> StoredCalibration:
        row = self.session.scalar(
            select(CalibrationRow).where(
                CalibrationRow.rubric_version_id == rubric_version_pk,
                CalibrationRow.scorer == scorer,
            )
        )
        if row is None:
            row = CalibrationRow(rubric_version_id=rubric_version_pk, scorer=scorer)
            self.session.add(row)
        row.params = params
        row.report = report
        row.created_at = now_utc()
        self.session.flush()
        return StoredCalibration(rubric_version_pk, scorer, params, report, row.created_at)

    def calibration(self, rubric_version_pk: int, scorer: str) -> StoredCalibration | None:
        row = self.session.scalar(
            select(CalibrationRow).where(
                CalibrationRow.rubric_version_id == rubric_version_pk,
                CalibrationRow.scorer == scorer,
            )
        )
        if row is None:
            return None
        return StoredCalibration(
            row.rubric_version_id, row.scorer, dict(row.params), dict(row.report), row.created_at
        )
