"""The review pack: everything a review is built from, gathered first, as one JSON-able tree.

The pack is stored with the review as a snapshot (so the review reads the same next month),
and every figure in it is an evidence item or cites them by id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from callcoach.analytics.reviews import MetricValue
from callcoach.analytics.reviews_lost import LostAnalysis
from callcoach.analytics.reviews_skill import GrowthResult, SkillResult
from callcoach.domain.reviews import EvidenceItem, PlanItem


@dataclass
class EvidenceCounts:
    calls: int = 0  # calls in the window, scored or not
    scored_calls: int = 0
    manual_calls: int = 0  # calls rated by managers (used when none is scored)
    deals_touched: int = 0
    won: int = 0
    lost_after_verbal: int = 0
    lost_other: int = 0
    stalled: int = 0
    activity_days: int = 0
    quota_periods: int = 0
    ratings: int = 0
    coaching_events: int = 0
    coaching_verdicts: int = 0


@dataclass
class SampledCall:
    call_id: str
    day: date | None
    account: str | None
    week: int


@dataclass
class ManualReview:
    reason: str
    calls: list[SampledCall]
    minutes: int  # about how long listening to them takes


@dataclass
class Buckets:
    lost_after_verbal: list[str] = field(default_factory=list)  # deal evidence ids
    stalled: list[str] = field(default_factory=list)
    won: list[str] = field(default_factory=list)
    lost_other: list[str] = field(default_factory=list)


@dataclass
class DimensionResult:
    dimension: str
    label: str
    weight: float
    proposed: int | None
    reason: str
    metrics: list[MetricValue] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


@dataclass
class PlanGap:
    criterion_id: str
    name: str
    weight: float
    rep_mean: float | None
    benchmark: float | None
    basis: str  # "team mean" or "level 4"
    weighted_gap: float
    association: float | None  # point-biserial r with winning across the organisation
    association_p: float | None
    association_deals: int
    leverage: float
    evidence: list[str] = field(default_factory=list)


@dataclass
class PlanProposal:
    gaps: list[PlanGap]  # every criterion with a gap, highest leverage first
    items: list[PlanItem]  # the one or two the plan works on
    leverage_rule: str
    target_metric: str
    checkpoint_days: int
    checkpoint_calls: int


@dataclass
class ObjectionType:
    name: str  # the most central real quote of the cluster
    evidence: str  # id of that quote's item
    size: int
    examples: list[str] = field(default_factory=list)  # ids of the other quotes


@dataclass
class Prompt:
    """A preparation question or a feedback statement: rendered text and what it cites."""

    text: str
    cites: list[str]
    criterion_id: str | None = None


@dataclass
class ReviewPack:
    rep: str
    team: str | None
    manager: str | None
    as_of: date
    window_start: date
    window_days: int
    rubric: str
    rubric_version: int
    scorer: str | None
    tenure_months: float | None
    stage: str
    weights: dict[str, float]
    weights_rule: str
    parameters: dict[str, object]
    counts: EvidenceCounts
    thin: list[str]
    manual_review: ManualReview | None
    buckets: Buckets
    lost: LostAnalysis | None
    dimensions: list[DimensionResult]
    skill: SkillResult
    growth: GrowthResult
    overall_proposed: float | None
    objections: list[ObjectionType]
    objections_source: str
    questions: list[Prompt]
    feedback: list[Prompt]
    plan: PlanProposal
    evidence: dict[str, EvidenceItem]
    notes: list[str] = field(default_factory=list)

    def dimension(self, name: str) -> DimensionResult:
        return next(d for d in self.dimensions if d.dimension == name)

    def allowed_names(self) -> list[str]:
        """Names any sentence may use without citing: the people the review is about."""
        return [n for n in (self.rep, self.manager, self.team) if n]
