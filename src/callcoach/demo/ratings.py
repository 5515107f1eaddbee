"""Managers' own ratings of a calibration set of calls, for the agreement analysis.

Both managers of a pair of teams rate the same calls on every criterion, around the call's true
level with a small personal bias. They agree within one level on every criterion but one: on the
criterion whose anchors are the vaguest, one manager reads them harshly and the other kindly, so
on a few calls they are two levels apart and the agreement check has something to flag.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from callcoach.demo.grammar import Phraser
from callcoach.demo.model import CallPlan
from callcoach.domain.calls import Call
from callcoach.domain.scores import HumanRating

CALLS_PER_RATER_PAIR = 60
# The one-call-close anchors for value articulation ('generic terms', 'links some
# capabilities') are the easiest to read two ways; other rubrics fall back to their
# lowest-weighted criterion.
VAGUE_PREFERENCE = ("value_articulation",)
MIN_WIDE_DISAGREEMENTS = 3
# Managers' own ratings, as if imported from their rating sheets: analytics read these as the
# human side of every agreement statistic (overrides of machine scores are another source).
RATING_SOURCE = "import"

NOTE_HIGH = (
    "(Good|Strong|Nice) (moment|example) around {minute}:00 (here|on this call).",
    "(This is|That's) what (good|level four) looks like; (share it with the team|use in "
    "the next team meeting).",
)
NOTE_LOW = (
    "(Missed|Skipped) it (again|here); (see|check) around minute {minute}.",
    "(Talk about this|Raise this) in the next one-on-one.",
)


@dataclass(frozen=True)
class RaterPair:
    first: str
    second: str
    rep_indexes: tuple[int, ...]


def vague_criterion(criteria: tuple[str, ...], weights: dict[str, float]) -> str:
    for criterion in VAGUE_PREFERENCE:
        if criterion in criteria:
            return criterion
    return min(criteria, key=lambda c: (weights.get(c, 0.0), c))


def _pick_calls(
    plans: list[CallPlan], pair: RaterPair, rng: random.Random, recent_from: int
) -> list[CallPlan]:
    """An even spread over the pair's reps, from the recent half of the window."""
    pool: dict[int, list[CallPlan]] = {i: [] for i in pair.rep_indexes}
    for plan in plans:
        if plan.rep_index in pool and plan.day >= recent_from:
            pool[plan.rep_index].append(plan)
    per_rep = max(1, CALLS_PER_RATER_PAIR // max(1, len(pool)))
    chosen: list[CallPlan] = []
    for rep_index in pair.rep_indexes:
        candidates = pool[rep_index]
        rng.shuffle(candidates)
        chosen.extend(candidates[:per_rep])
    return sorted(chosen[:CALLS_PER_RATER_PAIR], key=lambda p: p.index)


def _clamp(level: float) -> int:
    return min(5, max(1, round(level)))


def rate_calls(
    plans: list[CallPlan],
    pairs: list[RaterPair],
    criteria: tuple[str, ...],
    vague: str,
    rubric_id: str,
    when: Callable[[CallPlan], datetime],
    write: Callable[[CallPlan], Call],
    rng: random.Random,
    recent_from: int,
    latest: datetime,
) -> list[HumanRating]:
    """Two managers' ratings of the same calls. Each call is rated 1-12 days after it took
    place, but never after `latest` (the demo's "today"): a rating cannot come from the future."""
    ratings: list[HumanRating] = []
    for pair in pairs:
        calls = _pick_calls(plans, pair, rng, recent_from)
        biases = {
            rater: {
                c: (0.4 if i == 0 else -0.4) if c == vague else rng.uniform(-0.25, 0.25)
                for c in criteria
            }
            for i, rater in enumerate((pair.first, pair.second))
        }
        levels: dict[tuple[int, str], list[int]] = {}
        for plan in calls:
            for criterion in criteria:
                truth = plan.levels[criterion]
                spread = 0.55 if criterion == vague else 0.35
                pair_levels = [
                    _clamp(truth + biases[rater][criterion] + rng.gauss(0.0, spread))
                    for rater in (pair.first, pair.second)
                ]
                if criterion != vague and abs(pair_levels[0] - pair_levels[1]) > 1:
                    # Clear anchors: the one further from the truth comes back within one level.
                    far = 0 if abs(pair_levels[0] - truth) >= abs(pair_levels[1] - truth) else 1
                    step = 1 if pair_levels[1 - far] > pair_levels[far] else -1
                    pair_levels[far] = pair_levels[1 - far] - step
                levels[(plan.index, criterion)] = pair_levels
        wide = [
            p for p in calls if abs(levels[(p.index, vague)][0] - levels[(p.index, vague)][1]) >= 2
        ]
        if len(wide) < MIN_WIDE_DISAGREEMENTS:
            others = [p for p in calls if p not in wide]
            rng.shuffle(others)
            for plan in others[: MIN_WIDE_DISAGREEMENTS - len(wide)]:
                truth = plan.levels[vague]
                high = min(5, max(3, truth + 1))
                levels[(plan.index, vague)] = [high, high - 2]
        for plan in calls:
            call = write(plan)
            truth_segments = call.meta["demo_truth"]["evidence_segments"]
            rated_at = when(plan) + timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 5))
            rated_at = max(when(plan), min(rated_at, latest))
            for criterion in criteria:
                for rater, level in zip(
                    (pair.first, pair.second), levels[(plan.index, criterion)], strict=True
                ):
                    segments = truth_segments.get(criterion) or []
                    segment = rng.choice(segments) if segments and rng.random() < 0.7 else None
                    note = None
                    if rng.random() < 0.2:
                        start = call.segments[segment].start if segment is not None else None
                        minute = int((start or 0) // 60)
                        bank = NOTE_HIGH if level >= 4 else NOTE_LOW if level <= 2 else ()
                        if bank:
                            note = Phraser(rng, {"minute": str(minute)}).pick(bank)
                    ratings.append(
                        HumanRating(
                            call_id=plan.external_id,
                            rater=rater,
                            criterion_id=criterion,
                            level=level,
                            rubric_id=rubric_id,
                            evidence_segment=segment,
                            note=note,
                            source=RATING_SOURCE,
                            created_at=rated_at,
                        )
                    )
    return ratings


def rater_pairs(managers: list[str], team_reps: dict[int, list[int]]) -> list[RaterPair]:
    """Managers rate in pairs of neighbouring teams (the last one joins the first if odd)."""
    pairs = []
    teams = sorted(team_reps)
    for position in range(0, len(teams), 2):
        first = teams[position]
        second = teams[position + 1] if position + 1 < len(teams) else teams[0]
        if first == second:
            continue
        reps = tuple(team_reps[first] + (team_reps[second] if position + 1 < len(teams) else []))
        pairs.append(RaterPair(managers[first], managers[second], reps))
    return pairs
