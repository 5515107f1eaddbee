"""Agreement, outcomes, the coaching loop and conversation signals on hand-computed cases."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from callcoach.analytics.agreement import (
    VAGUE_ANCHORS,
    Statistic,
    criterion_agreement,
    machine_vs_rater,
)
from callcoach.analytics.coaching import (
    CHANGE_APPROACH,
    NEEDS_ADJUSTMENT,
    WORKING,
    CoachingEventInput,
    CoachingStatus,
    evaluate_event,
    manager_effectiveness,
    repeated_no_improvement,
)
from callcoach.analytics.levels import CriterionInfo
from callcoach.analytics.outcomes import (
    CriterionOutcome,
    criterion_outcome,
    largest_remainder,
    suggested_weights,
)
from callcoach.analytics.signals import call_signals, summarize
from callcoach.domain.calls import Segment, SpeakerRole

# --- agreement ------------------------------------------------------------------------------


def _ratings(**by_rater: list[int]) -> pd.DataFrame:
    rows = []
    for rater, levels in by_rater.items():
        for i, level in enumerate(levels):
            if level:
                rows.append({"call": f"c{i}", "rater": rater, "level": level})
    return pd.DataFrame(rows)


def quadratic_kappa(a: list[int], b: list[int]) -> float:
    """Cohen's quadratic weighted kappa from its definition (an independent check)."""
    k = 5
    observed = np.zeros((k, k))
    for x, y in zip(a, b, strict=True):
        observed[x - 1, y - 1] += 1
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    weights = np.array([[(i - j) ** 2 for j in range(k)] for i in range(k)]) / (k - 1) ** 2
    return float(1 - (weights * observed).sum() / (weights * expected).sum())


def test_two_raters_exact_within_one_and_kappa() -> None:
    maria, omar = [1, 2, 3, 4, 5, 3], [2, 2, 3, 5, 5, 1]
    result = criterion_agreement(_ratings(maria=maria, omar=omar), "urgency", "Urgency")
    assert result.calls == 6
    assert result.exact.value == pytest.approx(3 / 6)
    assert result.within_one.value == pytest.approx(5 / 6)  # only call c5 (3 vs 1) is off by 2
    assert result.meets_target is True  # 83% >= 80%
    assert result.pairs[0].kappa.value == pytest.approx(quadratic_kappa(maria, omar))
    assert result.alpha.value is not None and result.icc.value is not None
    assert result.flag == VAGUE_ANCHORS
    assert [(d.call_id, d.ratings) for d in result.disagreements] == [
        ("c5", {"maria": 3, "omar": 1})
    ]


def test_perfect_agreement_and_undefined_statistics_say_why() -> None:
    same = criterion_agreement(_ratings(a=[1, 2, 3, 4, 5], b=[1, 2, 3, 4, 5]), "x", "X")
    assert same.exact.value == 1.0 and same.pairs[0].kappa.value == pytest.approx(1.0)
    assert same.alpha.value == pytest.approx(1.0) and same.icc.value == pytest.approx(1.0)
    assert same.flag is None
    flat = criterion_agreement(_ratings(a=[3, 3, 3, 3], b=[3, 3, 3, 3]), "x", "X")
    assert flat.exact.value == 1.0
    for statistic in (flat.pairs[0].kappa, flat.alpha, flat.icc):
        assert statistic.value is None and "no variance" in (statistic.reason or "")
    alone = criterion_agreement(_ratings(a=[3, 4], b=[3, 0]), "x", "X")  # one shared call
    assert alone.calls == 1 and alone.pairs[0].kappa.value is None
    assert "too few" in (alone.pairs[0].kappa.reason or "")
    nobody = criterion_agreement(_ratings(a=[3, 4]), "x", "X")
    assert nobody.calls == 0 and nobody.within_one.value is None and nobody.meets_target is None


def test_three_raters_pool_every_pair() -> None:
    result = criterion_agreement(_ratings(a=[1, 4], b=[1, 4], c=[2, 4]), "x", "X")
    assert len(result.pairs) == 3
    assert result.exact.value == pytest.approx(4 / 6)  # c0: 1 of 3 pairs equal; c1: 3 of 3
    assert result.within_one.value == 1.0


def test_machine_vs_rater_uses_the_calls_both_scored_and_never_flags_anchors() -> None:
    machine = pd.DataFrame({"call": ["c0", "c1", "c2", "c9"], "level": [1, 3, 5, 2]})
    human = pd.DataFrame({"call": ["c0", "c1", "c2"], "rater": "maria", "level": [3, 3, 5]})
    result = machine_vs_rater(machine, human, "machine", "x", "X")
    assert result.calls == 3 and result.exact.value == pytest.approx(2 / 3)
    assert result.flag is None and result.disagreements[0].call_id == "c0"


# --- outcomes -------------------------------------------------------------------------------

CRIT = CriterionInfo("discovery", "Discovery", 25, "good")


def test_point_biserial_with_bootstrap_interval() -> None:
    levels = np.array([1, 2, 2, 3, 3, 4, 4, 5, 5, 1, 2, 4, 5, 3, 1, 5], dtype=float)
    won = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1], dtype=float)
    result = criterion_outcome(levels, won, CRIT, seed=3)
    assert result.n == 16 and result.won == 8
    assert result.correlation.value == pytest.approx(np.corrcoef(levels, won)[0, 1])
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low < result.correlation.value < result.ci_high
    assert result.significant and result.direction == "positive"
    assert result.mean_won == pytest.approx(levels[won == 1].mean())
    again = criterion_outcome(levels, won, CRIT, seed=3)
    assert (again.ci_low, again.ci_high) == (result.ci_low, result.ci_high)


def test_outcome_statistics_are_undefined_without_variance() -> None:
    flat = criterion_outcome(np.array([3.0] * 6), np.array([0, 1, 0, 1, 0, 1.0]), CRIT)
    assert flat.correlation.value is None and "no variance" in (flat.correlation.reason or "")
    one_sided = criterion_outcome(np.array([1, 2, 3, 4, 5.0]), np.ones(5), CRIT)
    assert "same outcome" in (one_sided.correlation.reason or "")


def test_suggested_weights_are_integers_summing_to_100() -> None:
    assert largest_remainder({"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    assert largest_remainder({"a": 0.5, "b": 0.25, "c": 0.0}) == {"a": 67, "b": 33, "c": 0}
    shares = largest_remainder({"a": 0.31, "b": 0.17, "c": 0.23, "d": 0.11})
    assert sum(shares.values()) == 100

    def relation(crit: str, r: float, direction: str) -> CriterionOutcome:
        return CriterionOutcome(
            crit,
            crit,
            60,
            30,
            None,
            None,
            Statistic(r),
            0.01,
            r - 0.1,
            r + 0.1,
            Statistic(None, "n/a"),
            direction != "none",
            direction,
        )

    weights = suggested_weights(
        [
            relation("urgency", 0.30, "positive"),
            relation("discovery", 0.10, "positive"),
            relation("process", 0.25, "none"),  # not significant: no weight
            relation("talking", -0.40, "negative"),  # goes with losing: no weight
        ]
    )
    assert weights == {"urgency": 75, "discovery": 25, "process": 0, "talking": 0}
    assert suggested_weights([relation("process", 0.25, "none")]) is None


# --- coaching loop --------------------------------------------------------------------------

COACHED = date(2026, 3, 1)


def _history(before: list[int], after: list[int], days_after: float = 2.0) -> pd.DataFrame:
    start = datetime(2026, 3, 1)
    rows = [(start - timedelta(days=2 * (len(before) - i)), lvl) for i, lvl in enumerate(before)]
    rows += [(start + timedelta(days=1 + days_after * i), lvl) for i, lvl in enumerate(after)]
    return pd.DataFrame(rows, columns=["date", "level"])


def _event(rep: str = "Ann", coach: str | None = "Maria", on: date = COACHED) -> CoachingEventInput:
    return CoachingEventInput(1, rep, "discovery", on, coach)


def test_plus_half_a_level_after_thirty_days_is_improved() -> None:
    history = _history([2] * 10, [2, 3] * 5)  # after mean 2.5: +0.5 exactly
    outcome = evaluate_event(_event(), history, as_of=date(2026, 4, 15))
    assert outcome.status is CoachingStatus.IMPROVED
    assert (outcome.before_mean, outcome.after_mean) == (2.0, 2.5)
    assert (outcome.before_calls, outcome.after_calls) == (10, 10)
    worse = evaluate_event(_event(), _history([2] * 10, [2, 2, 3, 2, 3] * 2), date(2026, 4, 15))
    assert worse.status is CoachingStatus.NOT_IMPROVED and worse.change == pytest.approx(0.4)


def test_only_the_ten_calls_before_and_the_ten_most_recent_in_the_window_count() -> None:
    # 14 calls after coaching, every 2 days: 15 in the 30 days would be day 1..29 -> all 14 in
    # the window; the 10 most recent of them are levels 4, the 4 first are 1.
    history = _history([5, 5] + [3] * 10, [1] * 4 + [4] * 10)
    outcome = evaluate_event(_event(), history, as_of=date(2026, 6, 1))
    assert outcome.before_mean == 3.0 and outcome.after_mean == 4.0


def test_too_early_before_thirty_days_and_with_too_few_calls() -> None:
    early = evaluate_event(_event(), _history([2] * 10, [4] * 10), as_of=date(2026, 3, 20))
    assert early.status is CoachingStatus.TOO_EARLY
    assert early.rescore_after == date(2026, 3, 31)
    assert early.message == "too early: re-score after 2026-03-31 (30 days after coaching)"
    sparse = evaluate_event(_event(), _history([2] * 10, [4] * 4, days_after=9), date(2026, 4, 5))
    assert sparse.status is CoachingStatus.TOO_EARLY
    assert sparse.rescore_after is not None and sparse.rescore_after > date(2026, 4, 5)
    assert "only 4 scored call(s) since coaching" in sparse.message


def test_no_improvement_two_consecutive_cycles_changes_the_approach() -> None:
    flat = _history([2] * 10, [2] * 10)
    first = evaluate_event(_event(on=date(2026, 3, 1)), flat, date(2026, 9, 1))
    later = _history([2] * 10, [2] * 10)
    later["date"] = later["date"] + timedelta(days=92)
    second = evaluate_event(_event(on=date(2026, 6, 1)), later, date(2026, 9, 1))
    flags = repeated_no_improvement([first, second])
    assert [(f.rep, f.criterion_id, f.cycles) for f in flags] == [
        ("Ann", "discovery", ["2026-Q1", "2026-Q2"])
    ]
    assert flags[0].message == CHANGE_APPROACH
    assert repeated_no_improvement([first]) == []


def test_manager_effectiveness_thresholds() -> None:
    improved = evaluate_event(_event(), _history([2] * 10, [3] * 10), date(2026, 5, 1))
    stuck = evaluate_event(_event(), _history([2] * 10, [2] * 10), date(2026, 5, 1))

    def as_rep(outcome, rep: str, coach: str):  # type: ignore[no-untyped-def]
        from dataclasses import replace

        return replace(outcome, rep=rep, coach=coach)

    outcomes = [as_rep(improved, r, "Maria") for r in ("a", "b", "c")] + [
        as_rep(stuck, "d", "Maria")
    ]
    outcomes += [as_rep(improved, "e", "Omar")] + [
        as_rep(stuck, r, "Omar") for r in ("f", "g", "h")
    ]
    result = {m.manager: m for m in manager_effectiveness(outcomes, {})}
    assert result["Maria"].share == 0.75 and result["Maria"].verdict == WORKING
    assert result["Omar"].share == 0.25 and result["Omar"].verdict == NEEDS_ADJUSTMENT


# --- conversation signals -------------------------------------------------------------------


def _seg(
    i: int, role: SpeakerRole, start: float | None, end: float | None, text: str = "ok"
) -> Segment:
    speaker = "Rep" if role is SpeakerRole.REP else "Prospect"
    return Segment(i, speaker, role, text, start, end)


def test_signals_from_segment_timing() -> None:
    rep, prospect = SpeakerRole.REP, SpeakerRole.PROSPECT
    segments = [
        _seg(0, prospect, 0, 10),
        _seg(1, rep, 12, 32, "Why now? And how??"),
        _seg(2, rep, 32, 40),
        _seg(3, prospect, 41, 61),
        _seg(4, rep, 60, 70, "Got it."),
    ]
    s = call_signals("c1", segments)
    assert s.omitted is None and s.duration_s == 70
    assert s.talk_ratio == pytest.approx((20 + 8 + 10) / (10 + 20 + 8 + 20 + 10))
    assert s.longest_monologue_s == 28 and s.longest_story_s == 20
    assert s.question_rate == pytest.approx(2 / (70 / 60) * 10)
    assert s.interactivity == pytest.approx(3 / (70 / 60))
    assert s.patience_s == pytest.approx((2 + 0) / 2)  # the overlap counts as no pause


def test_signals_are_omitted_with_a_reason_without_timing() -> None:
    s = call_signals(
        "c2", [_seg(0, SpeakerRole.REP, None, None), _seg(1, SpeakerRole.PROSPECT, None, None)]
    )
    assert s.omitted is not None and "no timing" in s.omitted and s.talk_ratio is None
    summary = summarize(
        [
            s,
            call_signals(
                "c3", [_seg(0, SpeakerRole.REP, 0, 30), _seg(1, SpeakerRole.PROSPECT, 30, 60)]
            ),
        ]
    )
    assert summary.calls == 2 and summary.calls_without_timing == 1
    assert summary.means["talk_ratio"] == pytest.approx(0.5) and summary.counts["talk_ratio"] == 1
