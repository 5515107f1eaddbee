"""The assessment analytics on hand-computed cases (pure functions, no database)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from callcoach.analytics.cycles import parse_cycle, quarter_cycle, window_cycle
from callcoach.analytics.levels import CriterionInfo, build_score_table
from callcoach.analytics.priorities import (
    Moment,
    choose_moments,
    coaching_priorities,
    rank_priorities,
    weighted_gap,
)
from callcoach.analytics.sampling import sample_rep
from callcoach.analytics.scorecards import mean_ci, split_top_bottom

# --- cycles ---------------------------------------------------------------------------------


def test_quarters_parse_and_chain() -> None:
    q3 = parse_cycle("2026-Q3")
    assert (q3.start, q3.end) == (date(2026, 7, 1), date(2026, 10, 1))
    assert parse_cycle("2026q1").previous().label == "2025-Q4"
    assert q3.contains(datetime(2026, 9, 30, 23, 59)) and not q3.contains(date(2026, 10, 1))
    assert len(q3.weeks()) == 14  # 92 days: 13 full weeks and one of 1 day
    with pytest.raises(ValueError, match="quarter"):
        parse_cycle("2026-Q5")


def test_a_custom_window_is_compared_with_the_window_just_before() -> None:
    window = window_cycle(date(2026, 2, 1), date(2026, 2, 15))
    previous = window.previous()
    assert (previous.start, previous.end) == (date(2026, 1, 18), date(2026, 2, 1))
    assert window.label == "2026-02-01..2026-02-14"


# --- levels ---------------------------------------------------------------------------------

CRITS = [
    CriterionInfo("urgency", "Urgency creation", 25, "good urgency"),
    CriterionInfo("process", "Process adherence", 75, "good process"),
]


def _table(
    rows: list[tuple[int, int, int, int, float, float]], overrides: pd.DataFrame | None = None
):  # type: ignore[no-untyped-def]
    """rows: (call, rep, version, run, urgency, process)."""
    calls = pd.DataFrame(
        {
            "rep": [r[1] for r in rows],
            "date": [datetime(2026, 1, 1) + timedelta(days=i) for i in range(len(rows))],
            "version": [r[2] for r in rows],
            "run": [r[3] for r in rows],
            "created": [datetime(2026, 1, 1)] * len(rows),
        },
        index=[r[0] for r in rows],
    )
    levels = pd.DataFrame(
        {"urgency": [r[4] for r in rows], "process": [r[5] for r in rows]}, index=calls.index
    )
    weights = {1: {"urgency": 25.0, "process": 75.0}, 2: {"urgency": 50.0, "process": 50.0}}
    return build_score_table(calls, levels, CRITS, weights, overrides)


def test_latest_run_counts_with_its_own_version_weights_and_overrides_replace_levels() -> None:
    overrides = pd.DataFrame(
        {
            "call": [11, 11],
            "criterion": ["urgency", "urgency"],
            "level": [5, 4],
            "created": [datetime(2026, 2, 1), datetime(2026, 3, 1)],
        }
    )
    table = _table(
        [(10, 1, 1, 1, 1, 3), (10, 1, 2, 2, 3, 3), (11, 1, 1, 3, 2, 2)], overrides=overrides
    )
    assert list(table.calls.index) == [10, 11]  # one run per call: version 2 for call 10
    assert table.levels.loc[10, "urgency"] == 3
    assert table.levels.loc[11, "urgency"] == 4  # the latest override wins
    assert table.overridden == 1
    overall = table.overall()
    assert overall[10] == pytest.approx((3 * 50 + 3 * 50) / 100)
    assert overall[11] == pytest.approx((4 * 25 + 2 * 75) / 100)


def test_overall_renormalises_over_criteria_with_a_level() -> None:
    table = _table([(1, 1, 1, 1, 4, float("nan"))])
    assert table.overall()[1] == pytest.approx(4.0)


# --- scorecards -----------------------------------------------------------------------------


def test_mean_ci_is_the_t_interval() -> None:
    result = mean_ci([2, 3, 4])
    half = 4.302652729911275 * 1.0 / np.sqrt(3)  # t(0.975, 2) x sd / sqrt(n)
    assert result.n == 3 and result.mean == pytest.approx(3.0)
    assert result.low == pytest.approx(3 - half) and result.high == pytest.approx(3 + half)
    single = mean_ci([4])
    assert single.low is None and single.note == "one call: no interval"
    assert mean_ci([]).mean is None


def test_top_and_bottom_halves_leave_the_middle_rep_out() -> None:
    top, bottom = split_top_bottom(pd.Series({"a": 0.5, "b": 0.9, "c": 0.1, "d": 0.7, "e": 0.2}))
    assert top == ["b", "d"] and bottom == ["e", "c"]


# --- priorities -----------------------------------------------------------------------------


def test_seed_worked_example_weight_beats_raw_gap() -> None:
    """A rep at 2.5 on urgency creation (25%) outranks one at 3.0 on process adherence (10%)
    even when the raw gap on process adherence is as large or larger."""
    urgency = weighted_gap(team_mean=3.0, rep_mean=2.5, weight=25)
    process = weighted_gap(team_mean=3.6, rep_mean=3.0, weight=10)
    assert urgency == pytest.approx(0.125)  # gap 0.5 x 25%
    assert process == pytest.approx(0.06)  # gap 0.6 x 10%
    assert urgency > process
    criteria = [
        CriterionInfo("process_adherence", "Process adherence", 10, "p4"),
        CriterionInfo("urgency_creation", "Urgency creation", 25, "u4"),
        CriterionInfo("discovery", "Discovery", 65, "d4"),
    ]
    ranked = rank_priorities(
        {"process_adherence": 3.0, "urgency_creation": 2.5, "discovery": 4.0},
        {"process_adherence": 3.6, "urgency_creation": 3.0, "discovery": 3.5},
        criteria,
    )
    assert [p.criterion_id for p in ranked] == ["urgency_creation", "process_adherence"]
    assert ranked[0].what_good_looks_like == "u4"
    assert weighted_gap(3.0, 3.2, 25) is None  # above the team: never a priority


def test_priorities_are_against_the_reps_own_team() -> None:
    rows = []
    call = 0
    # rep 1 (team A): urgency 2, process 3; rep 2 (team A): 4 and 3; rep 3 (team B): 1 and 1
    for rep, urgency, process in ((1, 2, 3), (2, 4, 3), (3, 1, 1)):
        for _ in range(3):
            call += 1
            rows.append((call, rep, 1, call, urgency, process))
    table = _table(rows)
    result = coaching_priorities(table, pd.Series({1: "A", 2: "A", 3: "B"}), [1, 2, 3])
    assert [p.criterion_id for p in result[1]] == ["urgency"]
    assert result[1][0].team_mean == pytest.approx(3.0)
    assert result[1][0].weighted_gap == pytest.approx((3 - 2) * 25 / 100)
    assert result[2] == [] and result[3] == []  # rep 3 is the whole of team B


def test_moments_prefer_the_lowest_level_then_confidence_one_per_call() -> None:
    def moment(call: str, level: int, confidence: float) -> Moment:
        return Moment(
            call, datetime(2026, 1, 1), "Acme", level, 12.0, "Rep", f"q {call}", 1, confidence
        )

    chosen = choose_moments(
        [
            moment("a", 2, 0.9),
            moment("b", 1, 0.2),
            moment("b", 1, 0.8),
            moment("c", 1, 0.5),
            moment("d", 3, 1.0),
        ]
    )
    assert [(m.call_id, m.confidence) for m in chosen] == [("b", 0.8), ("c", 0.5), ("a", 0.9)]


# --- sampling -------------------------------------------------------------------------------


def _calls(count: int, start: date, every_days: float) -> pd.DataFrame:
    dates = [
        datetime.combine(start, datetime.min.time()) + timedelta(days=i * every_days)
        for i in range(count)
    ]
    return pd.DataFrame({"date": dates}, index=range(count))


def test_sample_spreads_across_weeks_and_is_reproducible() -> None:
    cycle = quarter_cycle(2026, 1)
    calls = _calls(60, cycle.start, 1.5)  # 60 calls over 90 days, every week has calls
    first = sample_rep("Ann", calls, cycle, 10, seed=7)
    again = sample_rep("Ann", calls, cycle, 10, seed=7)
    other = sample_rep("Ann", calls, cycle, 10, seed=8)
    assert first.sampled == again.sampled and first.sampled != other.sampled
    assert len(first.sampled) == 10 and first.flag is None
    assert first.weeks_covered == 10  # ten calls from ten different weeks
    recent = sorted(calls.index)[-10:]
    assert first.sampled != recent  # not simply the most recent calls


def test_a_rep_with_fewer_than_ten_scored_calls_is_flagged_with_the_count() -> None:
    cycle = quarter_cycle(2026, 1)
    sample = sample_rep("Bo", _calls(7, cycle.start, 5), cycle, 10, seed=1)
    assert len(sample.sampled) == 7
    assert sample.flag is not None
    assert (
        "not enough calls for a meaningful assessment" in sample.flag and "7 scored" in sample.flag
    )
