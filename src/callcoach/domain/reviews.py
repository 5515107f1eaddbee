"""Performance reviews: what a review IS, its life cycle, and the rules a fair one follows.

A review covers one rep over a window before an as-of day (60 days by default). It moves
draft -> shared (the rep sees it) -> held (the meeting took place) -> closed, and cannot be
closed until the four outputs of a good review exist (seed rule): a rating per dimension with
call evidence, the rep's self-assessment on record, a written plan with two practice
assignments, and the 30-day checkpoint scheduled.

Four dimensions are rated 1-5: output, activity, skill and growth. Their weights follow tenure
(seed rule): under 6 months, skill and activity together carry 60%; over 12 months, output and
skill 50/50; in between, callcoach interpolates linearly between the two sets by months of
tenure (its own documented choice). Every number is in `ReviewParameters`, which settings
override per organisation.

Every sentence of a review cites evidence items by id: a call moment, a deal, a metric, or the
self-assessment. Ids are derived from what the item is (not from when it was built), so a
rebuilt pack gives the same ids and an edited draft's citations keep resolving.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from callcoach.domain.review_evidence import (
    EvidenceItem,
    EvidenceKind,
    coaching_id,
    deal_id,
    metric_id,
    moment_id,
    self_id,
    stable_id,
)

__all__ = [
    "EvidenceItem",
    "EvidenceKind",
    "coaching_id",
    "deal_id",
    "metric_id",
    "moment_id",
    "self_id",
    "stable_id",
]


class ReviewRuleError(ValueError):
    """An action the review's rules do not allow (the message says why and what to do)."""


class ReviewState(StrEnum):
    DRAFT = "draft"
    SHARED = "shared"
    HELD = "held"
    CLOSED = "closed"


# draft -> shared -> held -> closed; nothing goes back (a rep who has read a review keeps it).
TRANSITIONS: dict[ReviewState, frozenset[ReviewState]] = {
    ReviewState.DRAFT: frozenset({ReviewState.SHARED}),
    ReviewState.SHARED: frozenset({ReviewState.HELD}),
    ReviewState.HELD: frozenset({ReviewState.CLOSED}),
    ReviewState.CLOSED: frozenset(),
}
_VERB = {ReviewState.SHARED: "share", ReviewState.HELD: "hold", ReviewState.CLOSED: "close"}


def check_transition(current: ReviewState, target: ReviewState) -> None:
    if target in TRANSITIONS[current]:
        return
    allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "none (it is closed)"
    raise ReviewRuleError(
        f"a {current.value} review cannot be {target.value} ({_VERB.get(target, target.value)}"
        f" needs the review to be {_previous(target)}); next step allowed: {allowed}"
    )


def _previous(target: ReviewState) -> str:
    for state, targets in TRANSITIONS.items():
        if target in targets:
            return state.value
    return "new"


def rep_may_read(state: ReviewState) -> bool:
    """A rep reads their review only once it is shared: never the manager's draft."""
    return state is not ReviewState.DRAFT


class Dimension(StrEnum):
    OUTPUT = "output"
    ACTIVITY = "activity"
    SKILL = "skill"
    GROWTH = "growth"


DIMENSIONS = (Dimension.OUTPUT, Dimension.ACTIVITY, Dimension.SKILL, Dimension.GROWTH)
DIMENSION_LABELS = {
    Dimension.OUTPUT: "Output",
    Dimension.ACTIVITY: "Activity",
    Dimension.SKILL: "Skill",
    Dimension.GROWTH: "Growth",
}
RATING_MIN, RATING_MAX = 1, 5


def _weights(**values: float) -> tuple[tuple[str, float], ...]:
    return tuple((d.value, float(values[d.value])) for d in DIMENSIONS)


@dataclass(frozen=True)
class ReviewParameters:
    """Every number a review uses, with where it comes from. Settings override them
    (CALLCOACH_REVIEW_*, docs/configuration.md); a pack records the values it was built with."""

    window_days: int = 60  # seed rule: the review window before --as-of
    stalled_days: int = 30  # callcoach's default: an open deal untouched this long is stalled
    ramping_months: float = 6.0  # seed rule: under 6 months, the ramping weights
    tenured_months: float = 12.0  # seed rule: over 12 months, the tenured weights
    # Seed rule: skill + activity = 60% while ramping. The split inside (30/30, output 20,
    # growth 20) is callcoach's choice.
    ramping_weights: tuple[tuple[str, float], ...] = _weights(
        output=20, activity=30, skill=30, growth=20
    )
    # Seed rule: output and skill 50/50 once tenured (activity and growth are shown and
    # discussed, and carry no weight).
    tenured_weights: tuple[tuple[str, float], ...] = _weights(
        output=50, activity=0, skill=50, growth=0
    )
    # Proposed ratings from a ratio to the benchmark (rep / team, or attainment / 100%): the
    # lower bounds of ratings 2, 3, 4 and 5. "Meets" (3) is within 15% below to 10% above the
    # benchmark: callcoach's choice, documented in docs/reviews.md.
    ratio_bands: tuple[float, float, float, float] = (0.60, 0.85, 1.10, 1.30)
    # Growth: change in mean level on coached criteria; +0.5 counts as improved (seed rule of
    # the 30-day loop), +1.0 is a full level. Lower bounds of ratings 2, 3, 4 and 5.
    growth_bands: tuple[float, float, float, float] = (-0.5, -0.2, 0.5, 1.0)
    manual_sample_min: int = 5  # seed rule: 5-10 calls for a manager to review by hand
    manual_sample_max: int = 10
    min_scored_calls: int = 10  # seed rule: fewer is not a meaningful assessment
    hypothesis_min_gap: float = 0.5  # a gap of half a level between won and lost deals
    # Criteria the lost-after-verbal hypothesis names; empty: found by keywords (see
    # analytics/reviews_lost.py), overridable with CALLCOACH_REVIEW_HYPOTHESIS_CRITERIA.
    hypothesis_criteria: tuple[str, ...] = ()
    outcome_days: int = 180  # closed deals behind "goes with winning" (leverage)
    checkpoint_days: int = 30  # seed rule: the 30-day checkpoint (re-score)
    checkpoint_calls: int = 5  # seed rule: the checkpoint reviews five calls together

    def weights_for(self, stage: str) -> dict[str, float]:
        return dict(self.ramping_weights if stage == "ramping" else self.tenured_weights)

    def as_dict(self) -> dict[str, Any]:
        return {
            "window_days": self.window_days,
            "stalled_days": self.stalled_days,
            "ramping_months": self.ramping_months,
            "tenured_months": self.tenured_months,
            "ramping_weights": dict(self.ramping_weights),
            "tenured_weights": dict(self.tenured_weights),
            "ratio_bands": list(self.ratio_bands),
            "growth_bands": list(self.growth_bands),
            "hypothesis_criteria": list(self.hypothesis_criteria),
            "outcome_days": self.outcome_days,
            "checkpoint_days": self.checkpoint_days,
        }

    def with_overrides(self, **values: Any) -> ReviewParameters:
        """A copy with the given values (None: keep); weights accept 'output=20,skill=30,...'."""
        changes: dict[str, Any] = {}
        for key, value in values.items():
            if value is None:
                continue
            if key in ("ramping_weights", "tenured_weights"):
                value = parse_weights(value) if isinstance(value, str) else value
            elif key == "hypothesis_criteria" and isinstance(value, str):
                value = tuple(v.strip() for v in value.split(",") if v.strip())
            changes[key] = value
        result = replace(self, **changes)
        if result.tenured_months < result.ramping_months:
            raise ReviewRuleError("review tenured months must not be below ramping months")
        return result


def parse_weights(text: str) -> tuple[tuple[str, float], ...]:
    """'output=20,activity=30,skill=30,growth=20' -> weights in dimension order (sum 100)."""
    values: dict[str, float] = {}
    for part in text.split(","):
        name, sep, number = part.partition("=")
        name = name.strip().lower()
        if not sep or name not in {d.value for d in DIMENSIONS}:
            raise ReviewRuleError(
                f"review weights {text!r}: write output=N,activity=N,skill=N,growth=N"
            )
        try:
            values[name] = float(number)
        except ValueError:
            raise ReviewRuleError(f"review weights {text!r}: {number!r} is not a number") from None
    missing = [d.value for d in DIMENSIONS if d.value not in values]
    if missing or abs(sum(values.values()) - 100.0) > 1e-6 or min(values.values()) < 0:
        raise ReviewRuleError(
            f"review weights {text!r}: all four dimensions, none negative, summing to 100"
        )
    return tuple((d.value, values[d.value]) for d in DIMENSIONS)


@dataclass(frozen=True)
class DimensionWeights:
    weights: dict[str, float]  # percent per dimension, summing to 100
    stage: str  # "ramping", "between", "tenured" or "unknown"
    tenure_months: float | None
    rule: str  # the rule applied, in words


def tenure_weights(tenure_months: float | None, params: ReviewParameters) -> DimensionWeights:
    """The four dimensions' weights for a rep with this tenure (months at the as-of day).

    Under `ramping_months`: the ramping weights; over `tenured_months`: the tenured weights;
    in between, linear interpolation by months: weight = ramping + (tenured - ramping) x
    (tenure - ramping_months) / (tenured_months - ramping_months). Unknown tenure (no start
    date on the roster) uses the tenured weights and says so.
    """
    ramping = params.weights_for("ramping")
    tenured = params.weights_for("tenured")
    low, high = params.ramping_months, params.tenured_months
    if tenure_months is None:
        return DimensionWeights(
            tenured,
            "unknown",
            None,
            "start date unknown: weighted as a tenured rep (import the roster with start dates)",
        )
    if tenure_months < low:
        return DimensionWeights(
            ramping,
            "ramping",
            tenure_months,
            f"under {low:g} months in the job: skill and activity together "
            f"{ramping['skill'] + ramping['activity']:g}%",
        )
    if tenure_months > high or high == low:
        return DimensionWeights(
            tenured,
            "tenured",
            tenure_months,
            f"over {high:g} months in the job: output {tenured['output']:g}%, skill "
            f"{tenured['skill']:g}%",
        )
    share = (tenure_months - low) / (high - low)
    mixed = {d: ramping[d] + (tenured[d] - ramping[d]) * share for d in ramping}
    return DimensionWeights(
        mixed,
        "between",
        tenure_months,
        f"{tenure_months:.1f} months in the job, between {low:g} and {high:g}: weights moved "
        f"{share:.0%} of the way from the ramping to the tenured ones (linear in months)",
    )


def tenure_months(start: date | None, on: date) -> float | None:
    """Months in the job on a day (days / 30.4375, the mean month)."""
    return None if start is None else (on - start).days / 30.4375


# Self-assessment ------------------------------------------------------------------------------

MAX_WORDS_CHARS = 4000


class DimensionSelfRating(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: int = Field(ge=RATING_MIN, le=RATING_MAX)
    words: str = Field(min_length=1, max_length=MAX_WORDS_CHARS)

    @field_validator("words")
    @classmethod
    def _words(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("say in a few words why (the words are required)")
        return value


class SelfAssessment(BaseModel):
    """The rep's own view, per dimension: a rating 1-5 and words. Entered before they see
    the manager's view; kept on record unchanged."""

    model_config = ConfigDict(extra="forbid")

    output: DimensionSelfRating
    activity: DimensionSelfRating
    skill: DimensionSelfRating
    growth: DimensionSelfRating

    def of(self, dimension: Dimension | str) -> DimensionSelfRating:
        value: DimensionSelfRating = getattr(self, Dimension(dimension).value)
        return value


def check_self_assessment(data: Mapping[str, Any]) -> SelfAssessment:
    """Validate a self-assessment; every problem is reported at once, naming its dimension."""
    problems: list[str] = []
    unknown = sorted(set(data) - {d.value for d in DIMENSIONS})
    if unknown:
        problems.append(
            f"unknown dimension(s) {', '.join(unknown)}: use output, activity, skill and growth"
        )
    for dimension in DIMENSIONS:
        entry = data.get(dimension.value)
        if not isinstance(entry, Mapping):
            problems.append(f"{dimension.value}: a rating 1-5 and words are required")
            continue
        rating = entry.get("rating")
        if isinstance(rating, str) and rating.strip().lstrip("-").isdigit():
            rating = int(rating.strip())
        if isinstance(rating, bool) or not isinstance(rating, int):
            problems.append(f"{dimension.value}: rating {rating!r} is not a whole number 1-5")
        elif not RATING_MIN <= rating <= RATING_MAX:
            problems.append(f"{dimension.value}: rating {rating} is out of range (1-5)")
        words = entry.get("words")
        if not isinstance(words, str) or not words.strip():
            problems.append(f"{dimension.value}: say in a few words why (the words are required)")
        elif len(words) > MAX_WORDS_CHARS:
            problems.append(f"{dimension.value}: at most {MAX_WORDS_CHARS} characters")
    if problems:
        raise ReviewRuleError("self-assessment not recorded: " + "; ".join(problems))
    try:
        return SelfAssessment.model_validate(
            {
                d.value: {"rating": int(data[d.value]["rating"]), "words": data[d.value]["words"]}
                for d in DIMENSIONS
            }
        )
    except ValidationError as exc:  # pragma: no cover - the checks above cover every case
        raise ReviewRuleError(f"self-assessment not recorded: {exc}") from exc


@dataclass(frozen=True)
class PerceptionGap:
    dimension: str
    self_rating: int
    evidence_rating: int | None
    gap: int | None  # self minus evidence
    reading: str  # what it means for the conversation


def perception_gap(dimension: str, self_rating: int, evidence_rating: int | None) -> PerceptionGap:
    """Self minus evidence. A gap of a full point or more is worth its own part of the
    conversation: above, ask what the rep sees that the evidence does not, then walk through
    the moments; below, name the strengths the evidence shows."""
    if evidence_rating is None:
        return PerceptionGap(
            dimension, self_rating, None, None, "no evidence rating to compare with"
        )
    gap = self_rating - evidence_rating
    if gap >= 1:
        reading = (
            "rates themself higher than the evidence: ask what they see that the evidence does "
            "not, then walk through the cited moments together"
        )
    elif gap <= -1:
        reading = (
            "rates themself lower than the evidence: name the strengths the evidence shows, "
            "with the cited moments"
        )
    else:
        reading = "aligned with the evidence: confirm and move on to the plan"
    return PerceptionGap(dimension, self_rating, evidence_rating, gap, reading)


# The four outputs of a good review -----------------------------------------------------------


@dataclass(frozen=True)
class FinalRating:
    rating: int
    reason: str
    by: str


@dataclass
class PlanItem:
    criterion_id: str
    criterion: str
    behaviour: str  # what to do instead (the level-4 anchor)
    practice: list[str]  # practice assignments
    leverage: float | None = None


@dataclass
class WrittenPlan:
    items: list[PlanItem]
    notes: str = ""

    @property
    def assignments(self) -> list[str]:
        return [p for item in self.items for p in item.practice if p.strip()]


def missing_outputs(
    final_ratings: Mapping[str, FinalRating],
    call_evidence: bool,
    self_assessed: bool,
    plan: WrittenPlan | None,
    checkpoint_scheduled: bool,
) -> list[str]:
    """Which of the four outputs of a good review do not exist yet (empty: ready to close)."""
    missing: list[str] = []
    unrated = [d.value for d in DIMENSIONS if d.value not in final_ratings]
    if unrated:
        missing.append(f"a final rating for {', '.join(unrated)}")
    if not call_evidence:
        missing.append(
            "call evidence behind the skill rating (score the window's calls, or rate the "
            "sampled calls by hand)"
        )
    if not self_assessed:
        missing.append("the rep's self-assessment")
    if plan is None or not plan.items:
        missing.append("a written development plan")
    elif len(plan.assignments) < 2:
        missing.append(f"two practice assignments in the plan ({len(plan.assignments)} so far)")
    if not checkpoint_scheduled:
        missing.append("the 30-day checkpoint (scheduled when the review is held)")
    return missing


def check_rating(dimension: str, rating: object) -> int:
    if dimension not in {d.value for d in DIMENSIONS}:
        raise ReviewRuleError(
            f"unknown dimension {dimension!r}: use output, activity, skill or growth"
        )
    if isinstance(rating, str) and rating.strip().isdigit():
        rating = int(rating.strip())
    if isinstance(rating, bool) or not isinstance(rating, int):
        raise ReviewRuleError(f"{dimension}: rating {rating!r} is not a whole number 1-5")
    if not RATING_MIN <= rating <= RATING_MAX:
        raise ReviewRuleError(f"{dimension}: rating {rating} is out of range (1-5)")
    return rating
