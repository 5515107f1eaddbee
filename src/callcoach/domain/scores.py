"""Scores, evidence, human ratings and coaching events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

LEVEL_MIN = 1
LEVEL_MAX = 5


class ScoreStatus(StrEnum):
    SCORED = "scored"
    NOT_SCORABLE = "not_scorable"
    FAILED = "failed"


class FeedbackVerdict(StrEnum):
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


def is_valid_level(level: object) -> bool:
    return (
        isinstance(level, int) and not isinstance(level, bool) and LEVEL_MIN <= level <= LEVEL_MAX
    )


@dataclass(frozen=True)
class Evidence:
    """A verbatim quote from one segment. `segment` is the 0-based index in the call."""

    segment: int
    quote: str
    speaker: str
    start: float | None = None
    end: float | None = None
    # The method's numbers behind the quote (embedded scorer): how likely the turn is a moment
    # of the criterion, and the level its words read like. Shown on hover and in JSON only.
    likelihood: float | None = None
    reads_like: float | None = None


@dataclass
class CriterionScore:
    criterion_id: str
    level: int | None
    confidence: float
    rationale: str
    evidence: list[Evidence] = field(default_factory=list)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


@dataclass
class CallScore:
    """One scorer's verdict on one call against one rubric version."""

    call_id: str
    rubric_id: str
    rubric_version: int
    scorer: str
    scorer_version: str
    status: ScoreStatus
    criteria: list[CriterionScore] = field(default_factory=list)
    reason: str | None = None
    overall: float | None = None
    created_at: datetime | None = None

    def level_of(self, criterion_id: str) -> int | None:
        for crit in self.criteria:
            if crit.criterion_id == criterion_id:
                return crit.level
        return None


@dataclass(frozen=True)
class HumanRating:
    call_id: str
    rater: str
    criterion_id: str
    level: int
    rubric_id: str | None = None
    evidence_segment: int | None = None
    note: str | None = None
    source: str = "import"
    created_at: datetime | None = None


@dataclass(frozen=True)
class EvidenceFeedback:
    """A manager confirming or rejecting that a segment shows a criterion."""

    call_id: str
    rubric_id: str
    criterion_id: str
    segment: int
    verdict: FeedbackVerdict
    rater: str
    note: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class CoachingEvent:
    rep: str
    criterion_id: str
    rubric_id: str
    coached_on: date
    note: str | None = None
    coach: str | None = None
    id: int | None = None
