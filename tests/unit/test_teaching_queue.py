"""The teaching queue picks the moments that teach the most, and says how many answers remain.

(tests/unit/test_trust.py covers uncertainty at the presence bar and the lean to positives.)
"""

from __future__ import annotations

import pytest

from callcoach.scoring.teaching_queue import Candidate, answers_needed, select_moments

C = "close"


def cand(call: str, segment: int, p: float, rep: str | None = None, text: str | None = None):
    return Candidate(call, C, segment, p, rep=rep, text=text)


def select(candidates: list[Candidate], budget: int, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("random_share", 0.0)
    return select_moments(candidates, budget, **kwargs)


def test_calls_and_reps_already_asked_about_come_after_fresh_ones() -> None:
    pool = [
        cand("a", 1, 0.5, rep="r1"),
        cand("b", 1, 0.45, rep="r1"),
        cand("c", 1, 0.4, rep="r2"),
    ]
    # Call a was asked about before (turn 5): its equally unsure turn 1 comes after call b.
    assert select(pool[:2], 1, judged={("a", C, 5)})[0].call_id == "b"
    # Rep r1 was asked about twice: rep r2's slightly surer turn comes first.
    judged = {("a", C, 5), ("b", C, 5)}
    assert select(pool, 1, judged=judged)[0].call_id == "c"
    # Verdicts on another criterion do not count against the call.
    assert select(pool[:2], 1, judged={("a", "other", 5)})[0].call_id == "a"


def test_never_asks_twice_about_the_same_words() -> None:
    pool = [
        cand("a", 1, 0.5, text="Would you donate $1?"),
        cand("b", 1, 0.5, text="would you  donate $1?"),
        cand("c", 1, 0.4, text="Thank you so much!"),
        cand("d", 1, 0.4, text="thank you so MUCH!"),
        cand("e", 1, 0.3),
    ]
    picks = select(pool, 10, judged_texts={C: ["Would you donate $1?"]})
    assert [p.call_id for p in picks] == ["c", "e"]
    # Answers for another criterion leave the words open for this one.
    assert len(select(pool, 10, judged_texts={"other": ["Would you donate $1?"]})) == 3


def test_random_checks_take_their_share_and_are_reproducible() -> None:
    pool = [cand(f"call{i}", 1, i / 100) for i in range(100)]
    picks = select_moments(pool, 8, random_share=0.25, seed=3)
    assert len({(p.call_id, p.segment) for p in picks}) == 8
    assert picks == select_moments(pool, 8, random_share=0.25, seed=3)
    # Six follow the rules (nearest the presence bar first), two are drawn at random.
    ruled = select_moments(pool, 6, random_share=0.0)
    assert ruled[0].call_id == "call50"
    assert (
        len({(p.call_id, p.segment) for p in picks} - {(p.call_id, p.segment) for p in ruled}) >= 1
    )
    with pytest.raises(ValueError):
        select_moments(pool, 1, random_share=1.5)


def test_answers_needed_counts_down_to_the_minimum_and_then_zero() -> None:
    pool = [cand(f"call{i}", 1, 0.2) for i in range(200)]
    fresh = answers_needed(pool, C, 0, 0, min_each=5, min_judgements=20)
    # 5 confirmed at an expected 20% positive rate: 25 answers, more than the 20 minimum.
    assert fresh == 25
    # The team's answers show more positives than the model expected: fewer are needed.
    later = answers_needed(pool, C, 4, 6, min_each=5, min_judgements=20)
    assert later is not None and later < fresh - 10
    assert answers_needed(pool, C, 5, 15, min_each=5, min_judgements=20) == 0


def test_answers_needed_says_when_the_moments_cannot_supply_them() -> None:
    few = [cand(f"call{i}", 1, 0.5) for i in range(6)]
    assert answers_needed(few, C, 0, 0, min_each=5, min_judgements=10) is None
    never = [cand(f"call{i}", 1, 0.0) for i in range(100)]
    assert answers_needed(never, C, 0, 0, min_each=5, min_judgements=10) is None
