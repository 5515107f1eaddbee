"""Trust figures and states (analytics/trust.py, domain/trust.py) and the teaching queue."""

from __future__ import annotations

import numpy as np
import pytest

from callcoach.analytics.trust import (
    JudgedMoment,
    LevelPair,
    auc,
    criterion_figures,
    level_agreement,
    trust_state,
    wilson,
)
from callcoach.domain.trust import TrustBar, TrustBarError, TrustState, excluded_from_decisions
from callcoach.scoring.teaching_queue import Candidate, select_moments, uncertainty


def test_wilson_interval_brackets_the_share_and_narrows_with_n() -> None:
    small, large = wilson(8, 10, "x"), wilson(80, 100, "x")
    assert small.value == large.value == 0.8
    assert small.low is not None and small.high is not None
    assert large.low is not None and large.high is not None
    assert small.low < large.low < 0.8 < large.high < small.high
    assert wilson(0, 0, "confirmed moment").reason == "no confirmed moment"


def test_auc_counts_ties_half() -> None:
    assert auc(np.array([0.9, 0.8]), np.array([0.1, 0.2])) == 1.0
    assert auc(np.array([0.5]), np.array([0.5])) == 0.5
    assert auc(np.array([0.1, 0.9]), np.array([0.5])) == 0.5


def moments(criterion: str, agree: bool, n_calls: int = 10) -> list[JudgedMoment]:
    rng = np.random.default_rng(1)
    result = []
    for call in range(n_calls):
        for turn in range(4):
            confirmed = turn == 0
            p = (0.9 if confirmed else 0.1) if agree else float(rng.random())
            result.append(JudgedMoment(f"c{call}", criterion, turn, confirmed, p, p >= 0.5))
    return result


def test_states_trusted_not_trusted_learning() -> None:
    bar = TrustBar()
    data = moments("good", True) + moments("bad", False)
    good = criterion_figures("good", data, [])
    assert good.precision.value == good.recall.value == good.auc.value == 1.0
    assert good.judgements == 40 and good.confirmed == 10 and good.calls == 10
    assert trust_state(good, bar).state is TrustState.TRUSTED
    bad = trust_state(criterion_figures("bad", data, []), bar)
    assert bad.state is TrustState.NOT_TRUSTED and not bad.in_decisions
    assert any(r.startswith("precision") for r in bad.reasons)
    assert trust_state(criterion_figures("bad", data, []), bar, opted_in=True).in_decisions
    few = trust_state(criterion_figures("good", moments("good", True, 3), []), bar)
    assert few.state is TrustState.LEARNING and few.in_decisions
    assert few.answers_needed is not None and few.answers_needed >= 18
    assert excluded_from_decisions({"bad": bad, "few": few}) == frozenset({"bad"})


def test_level_agreement_within_one_and_kappa_with_interval() -> None:
    pairs = [LevelPair(f"c{i}", "x", 1 + i % 5, 1 + i % 5) for i in range(20)]
    within, kappa = level_agreement(pairs)
    assert within.value == 1.0 and kappa.value == pytest.approx(1.0) and kappa.n == 20
    off = [LevelPair(f"c{i}", "x", 1 + i % 5, 5 - i % 5) for i in range(20)]
    within, kappa = level_agreement(off)
    assert within.value is not None and within.value < 0.5
    assert kappa.value is not None and kappa.value < 0


def test_bar_parses_and_refuses_bad_input() -> None:
    bar = TrustBar.parse("precision=0.9, min_judgements=50")
    assert (bar.precision, bar.recall, bar.min_judgements) == (0.9, 0.7, 50)
    for text in ("precision", "speed=1", "auc=2", "min_each=0.5"):
        with pytest.raises(TrustBarError):
            TrustBar.parse(text)


def test_queue_prefers_uncertain_moments_and_spreads_calls() -> None:
    candidates = [
        Candidate("a", "x", 0, 0.5, rep="r1"),
        Candidate("a", "x", 1, 0.52, rep="r1"),
        Candidate("b", "x", 0, 0.45, rep="r2"),
        Candidate("c", "x", 0, 0.99, rep="r1"),
        Candidate("d", "x", 0, 0.01, rep="r2"),
    ]
    assert uncertainty(candidates[0]) == pytest.approx(1.0)
    chosen = select_moments(candidates, 2)
    assert {c.call_id for c in chosen} == {"a", "b"}  # not two moments of call a
    done = select_moments(candidates, 5, judged={("a", "x", 0)})
    assert ("a", 0) not in {(c.call_id, c.segment) for c in done}


def test_queue_seeks_likely_positives_of_a_rare_criterion() -> None:
    # 1 turn in 50 looks like the criterion: a queue of near-misses would teach nothing.
    rare = [Candidate(f"c{i}", "x", 0, 0.3 if i else 0.7) for i in range(50)]
    assert select_moments(rare, 1)[0].call_id == "c0"
    # A common criterion, no verdict yet: the moment nearest the presence bar.
    common = [Candidate(f"c{i}", "x", 0, p) for i, p in enumerate([0.9, 0.8, 0.48, 0.95])]
    assert select_moments(common, 1)[0].call_id == "c2"
    # People rejected 20 and confirmed none: the queue leans to likely positives.
    leaning = select_moments(common, 1, counts={"x": (0, 20)})
    assert leaning[0].likelihood >= 0.8
