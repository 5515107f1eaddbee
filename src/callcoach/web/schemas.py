"""What the REST API sends and accepts (pydantic models: the OpenAPI schema is built from them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from callcoach.domain.scores import CallScore, HumanRating
from callcoach.domain.trust import CriterionTrust
from callcoach.services.calls.review import CallReview
from callcoach.store.repositories.browse import CallListItem


class CallSummaryOut(BaseModel):
    id: str = Field(description="The id the call was imported with.")
    date: datetime | None
    rep: str | None
    team: str | None
    account: str | None
    call_type: str | None
    duration_s: float | None
    deal_outcome: str | None
    has_audio: bool
    overall: float | None = Field(description="Weighted mean level of the latest machine score.")
    score_status: str | None
    level: int | None = Field(
        default=None, description="Level on the `criterion` asked for (overrides applied)."
    )

    @classmethod
    def of(cls, item: CallListItem) -> CallSummaryOut:
        return cls(
            id=item.external_id,
            date=item.date,
            rep=item.rep,
            team=item.team,
            account=item.account,
            call_type=item.call_type,
            duration_s=item.duration_s,
            deal_outcome=item.deal_outcome,
            has_audio=item.has_audio,
            overall=item.overall,
            score_status=item.score_status,
            level=item.level,
        )


class CallListOut(BaseModel):
    items: list[CallSummaryOut]
    total: int = Field(description="Calls matching, over all pages.")
    offset: int
    limit: int


class EvidenceOut(BaseModel):
    segment: int = Field(description="0-based index of the segment in the call as imported.")
    start: float | None
    end: float | None
    speaker: str
    quote: str = Field(description="Verbatim text of that segment.")
    likelihood: float | None = Field(
        default=None, description="Embedded scorer: how likely the turn is a moment of it (0-1)."
    )
    reads_like: float | None = Field(
        default=None, description="Embedded scorer: the level (1-5) the turn's words read like."
    )


class CriterionScoreOut(BaseModel):
    id: str
    level: int | None
    confidence: float
    rationale: str
    evidence: list[EvidenceOut]


class CallScoreOut(BaseModel):
    call_id: str
    rubric_id: str
    rubric_version: int
    scorer: str
    scorer_version: str
    status: str
    reason: str | None
    overall: float | None
    created_at: datetime | None
    criteria: list[CriterionScoreOut]

    @classmethod
    def of(cls, score: CallScore) -> CallScoreOut:
        return cls(
            call_id=score.call_id,
            rubric_id=score.rubric_id,
            rubric_version=score.rubric_version,
            scorer=score.scorer,
            scorer_version=score.scorer_version,
            status=score.status.value,
            reason=score.reason,
            overall=score.overall,
            created_at=score.created_at,
            criteria=[
                CriterionScoreOut(
                    id=c.criterion_id,
                    level=c.level,
                    confidence=c.confidence,
                    rationale=c.rationale,
                    evidence=[
                        EvidenceOut(
                            segment=e.segment,
                            start=e.start,
                            end=e.end,
                            speaker=e.speaker,
                            quote=e.quote,
                            likelihood=e.likelihood,
                            reads_like=e.reads_like,
                        )
                        for e in c.evidence
                    ],
                )
                for c in score.criteria
            ],
        )


class HumanRatingOut(BaseModel):
    rubric_id: str | None
    criterion_id: str
    rater: str
    level: int
    source: str = Field(description="'import' (ratings CSV) or 'override' (a manager's override).")
    note: str | None
    evidence_segment: int | None
    created_at: datetime | None

    @classmethod
    def of(cls, rating: HumanRating) -> HumanRatingOut:
        return cls(
            rubric_id=rating.rubric_id,
            criterion_id=rating.criterion_id,
            rater=rating.rater,
            level=rating.level,
            source=rating.source,
            note=rating.note,
            evidence_segment=rating.evidence_segment,
            created_at=rating.created_at,
        )


class SegmentOut(BaseModel):
    index: int
    speaker: str
    role: str
    start: float | None
    end: float | None
    text: str


class TrustStateOut(BaseModel):
    state: str = Field(description="trusted, learning or not_trusted (docs/scoring.md).")
    in_decisions: bool = Field(description="Whether the scores drive priorities and verdicts.")
    opted_in: bool
    reasons: list[str]


class CallDetailOut(BaseModel):
    id: str
    date: datetime | None
    rep: str | None
    team: str | None
    account: str | None
    call_type: str | None
    duration_s: float | None
    deal_outcome: str | None
    has_audio: bool
    segments: list[SegmentOut]
    scores: list[CallScoreOut]
    ratings: list[HumanRatingOut]
    trust: dict[str, dict[str, TrustStateOut]] = Field(
        default_factory=dict, description="Per rubric of the scores, per criterion: trust."
    )

    @classmethod
    def of(
        cls, review: CallReview, trust: dict[str, dict[str, CriterionTrust]] | None = None
    ) -> CallDetailOut:
        call = review.call
        return cls(
            id=call.external_id,
            date=call.date,
            rep=call.rep,
            team=review.team,
            account=call.account,
            call_type=call.call_type,
            duration_s=call.effective_duration(),
            deal_outcome=review.deal_outcome,
            has_audio=review.has_audio,
            segments=[
                SegmentOut(
                    index=s.index,
                    speaker=s.speaker,
                    role=s.role.value,
                    start=s.start,
                    end=s.end,
                    text=s.text,
                )
                for s in call.segments
            ],
            scores=[CallScoreOut.of(r.score) for r in review.runs],
            ratings=[HumanRatingOut.of(r) for r in review.ratings],
            trust={
                rubric: {
                    cid: TrustStateOut(
                        state=t.state.value,
                        in_decisions=t.in_decisions,
                        opted_in=t.opted_in,
                        reasons=t.reasons,
                    )
                    for cid, t in states.items()
                }
                for rubric, states in (trust or {}).items()
            },
        )


class OverrideIn(BaseModel):
    rubric_id: str
    criterion_id: str
    level: int = Field(ge=1, le=5)
    note: str | None = None


class RubricSummaryOut(BaseModel):
    id: str
    name: str
    version: int
    versions: int
    criteria: int
    created_at: datetime
    created_by: str | None


class RubricOut(BaseModel):
    version: int
    created_at: datetime
    created_by: str | None
    rubric: dict[str, Any] = Field(description="The rubric document (id, name, criteria...).")


class RubricCheckOut(BaseModel):
    valid: bool
    errors: list[str]
    warnings: list[str]
    weight_total: float | None = Field(description="Sum of the criteria weights (must be 100).")


class RubricSavedOut(BaseModel):
    id: str
    version: int
    new_version: bool
    warnings: list[str]


class UserOut(BaseModel):
    username: str
    role: str
    teams: list[str]
    rep: str | None
    email: str | None
    active: bool
    created_at: datetime


class UserIn(BaseModel):
    username: str
    role: str = Field(description="admin, manager or rep")
    password: str = Field(min_length=10)
    teams: list[str] = Field(default_factory=list)
    rep: str | None = None
    email: str | None = None


class UserUpdateIn(BaseModel):
    """What to change on an account; what is left out stays as it is."""

    role: str | None = Field(default=None, description="admin, manager or rep")
    teams: list[str] | None = Field(default=None, description="The teams a manager manages.")
    rep: str | None = Field(default=None, description="The roster rep a rep account is.")
    email: str | None = Field(default=None, description="Email address ('' clears it).")


class JobOut(BaseModel):
    id: int
    kind: str
    status: str = Field(description="queued, running, done, failed or cancelled")
    owner: str | None = Field(description="Who started it (null: the command line)")
    subject: str = Field(description="What it works on")
    attempts: int
    max_attempts: int
    done: int
    total: int | None
    percent: int | None
    message: str = Field(description="Progress while it runs; its summary or error after")
    error: str | None
    result: dict[str, Any] | None
    runner: str | None = Field(description="The process running it (host and pid)")
    heartbeat_at: datetime | None
    cancel_requested: bool
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None


class JobListOut(BaseModel):
    counts: dict[str, int]
    jobs: list[JobOut]


class ImportFileOut(BaseModel):
    file: str
    ok: bool
    created: int
    updated: int
    error: str | None = Field(description="Why the file was rejected (nothing of it was written).")
    line: int | None = Field(description="The line the problem is on, when it has one.")
    warnings: list[str]


class ImportReportOut(BaseModel):
    ok: bool = Field(description="Every file imported; 422 when any was rejected.")
    scoring_job: int | None = Field(
        None, description="The job scoring the imported calls (CALLCOACH_SCORE_AFTER_IMPORT)."
    )
    files: list[ImportFileOut]
