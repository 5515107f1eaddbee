"""ORM tables, one module per area. Every schema change here needs an Alembic revision (a test
compares the two). Importing this package registers every table on `Base.metadata`."""

from __future__ import annotations

from callcoach.store.models.accounts import (
    ApiTokenRow,
    AuditLogRow,
    LoginAttemptRow,
    UserRow,
    UserTeamRow,
    WebSessionRow,
)
from callcoach.store.models.base import NAMING, Base
from callcoach.store.models.calibration_sets import (
    CalibrationSetCallRow,
    CalibrationSetRaterRow,
    CalibrationSetRatingRow,
    CalibrationSetRow,
)
from callcoach.store.models.calls import CallEmbeddingRow, CallRow, SegmentRow
from callcoach.store.models.coaching import CoachingEventRow
from callcoach.store.models.crm import ActivityRow, DealRow, QuotaRow
from callcoach.store.models.operations import AppSettingRow, JobRow, LlmCacheRow, ReportCacheRow
from callcoach.store.models.people import RepRow, TeamRow
from callcoach.store.models.reviews import ReviewDraftRow, ReviewRow, ReviewSelfAssessmentRow
from callcoach.store.models.rubrics import CalibrationRow, RubricRow, RubricVersionRow
from callcoach.store.models.scores import (
    CriterionScoreRow,
    EvidenceFeedbackRow,
    HumanRatingRow,
    ScoreRunRow,
)
from callcoach.store.models.trust import CriterionOptInRow, TrustReportRow

__all__ = [
    "NAMING",
    "ActivityRow",
    "ApiTokenRow",
    "AppSettingRow",
    "AuditLogRow",
    "Base",
    "CalibrationRow",
    "CalibrationSetCallRow",
    "CalibrationSetRaterRow",
    "CalibrationSetRatingRow",
    "CalibrationSetRow",
    "CallEmbeddingRow",
    "CallRow",
    "CoachingEventRow",
    "CriterionOptInRow",
    "CriterionScoreRow",
    "DealRow",
    "EvidenceFeedbackRow",
    "HumanRatingRow",
    "JobRow",
    "LlmCacheRow",
    "LoginAttemptRow",
    "QuotaRow",
    "RepRow",
    "ReportCacheRow",
    "ReviewDraftRow",
    "ReviewRow",
    "ReviewSelfAssessmentRow",
    "RubricRow",
    "RubricVersionRow",
    "ScoreRunRow",
    "SegmentRow",
    "TeamRow",
    "TrustReportRow",
    "UserRow",
    "UserTeamRow",
    "WebSessionRow",
]
