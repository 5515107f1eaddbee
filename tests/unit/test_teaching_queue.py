"""The teaching queue picks the moments that teach the most, and says how many answers remain."""

from __future__ import annotations

import pytest

from callcoach.scoring.teaching_queue import (
    Answer,
    Moment,
    QueuePolicy,
    answers_needed,
    next_moments,
)

NO_RANDOM = QueuePolicy(random_share=0.0)
C = "close"


def moment(call: str, segment: int, p: float, rep: str | None = None, text: str | None = None):
    return Moment(call, segment, {C: p, "other": 0.5}, rep_id=rep, text=text)


def answers(call: str, positives: int, negatives: int) -> list[Answer]:
    return [Answer(call, 100 + i, C, True) for i in range(positives)] + [
        Answer(call, 200 + i, C, False) for i in range(negatives)
    ]


def test_balanced_answers_ask_where_the_model_is_least_sure() -> None:
    pool = [moment("a", 1, 0.97), moment("b", 1, 0.52), moment("c", 1, 0.03)]
    picks = next_moments(pool, C, answers("z", 5, 5), 1, NO_RANDOM)
    assert [p.moment.call_id for p in picks] == ["b"]
    assert picks[0].reason == "unsure"


def test_scarce_positives_make_the_queue_seek_likely_positives() -> None:
    # A rare criterion: 1 confirmed for 30 rejected so far. A 0.9 turn is more likely to bring
    # the positive the model needs than a 0.5 one.
    pool = [moment("a", 1, 0.5), moment("b", 1, 0.9), moment("c", 1, 0.1)]
    picks = next_moments(pool, C, answers("z", 1, 30), 1, NO_RANDOM)
    assert picks[0].moment.call_id == "b"
    assert picks[0].reason == "likely positive"
    # Balanced answers: the same pool asks about the 0.5 turn.
    assert next_moments(pool, C, answers("z", 10, 10), 1, NO_RANDOM)[0].moment.call_id == "a"


def test_picks_spread_over_calls_and_reps() -> None:
    pool = [
        moment("a", 1, 0.5, rep="r1"),
        moment("a", 3, 0.5, rep="r1"),
        moment("b", 1, 0.45, rep="r1"),
        moment("c", 1, 0.4, rep="r2"),
    ]
    picks = next_moments(pool, C, [], 3, NO_RANDOM)
    assert len({p.moment.call_id for p in picks}) == 3
    # A call already answered for the criterion comes after a fresh one of the same rep, and
    # a rep already answered after another rep's equally unsure moment.
    done = [Answer("a", 5, C, True, rep_id="r1"), Answer("z", 5, C, False)]
    assert next_moments(pool[:3], C, done, 1, NO_RANDOM)[0].moment.call_id == "b"
    assert next_moments(pool, C, done, 1, NO_RANDOM)[0].moment.call_id == "c"


def test_never_asks_twice_about_a_moment_or_the_same_words() -> None:
    pool = [
        moment("a", 1, 0.5, text="Would you donate $1?"),
        moment("b", 1, 0.5, text="would you  donate $1?"),
        moment("c", 1, 0.49, text="Something else"),
        moment("d", 1, 0.48),
    ]
    given = [Answer("a", 1, C, None, text="Would you donate $1?")]  # skipped: not asked again
    picks = next_moments(pool, C, given, 10, NO_RANDOM)
    assert [p.moment.call_id for p in picks] == ["c", "d"]
    # Answers for another criterion do not use up the moment for this one.
    other = [Answer("c", 1, "other", False)]
    assert next_moments(pool, C, other, 1, NO_RANDOM)[0].moment.call_id in {"a", "b"}


def test_moments_without_a_likelihood_for_the_criterion_are_not_candidates() -> None:
    pool = [Moment("a", 1, {"other": 0.5}), moment("b", 1, 0.01)]
    assert [p.moment.call_id for p in next_moments(pool, C, [], 5, NO_RANDOM)] == ["b"]
    assert next_moments(pool, C, [], 0, NO_RANDOM) == []


def test_random_checks_take_their_share_and_are_reproducible() -> None:
    pool = [moment(f"call{i}", 1, i / 100) for i in range(100)]
    policy = QueuePolicy(random_share=0.25, seed=3)
    picks = next_moments(pool, C, [], 8, policy)
    assert sum(p.reason == "random check" for p in picks) == 2
    assert len({p.moment.key for p in picks}) == 8
    assert picks == next_moments(pool, C, [], 8, policy)
    # The rest follow uncertainty: the calls nearest 0.5 first.
    ranked = [p.moment.call_id for p in picks if p.reason != "random check"]
    assert ranked[0] == "call50"


def test_answers_needed_counts_down_to_the_minimum_and_then_zero() -> None:
    policy = QueuePolicy(min_positive=5, min_negative=5, min_answers=20, random_share=0.0)
    pool = [moment(f"call{i}", 1, 0.2) for i in range(200)]
    fresh = answers_needed(pool, C, [], policy)
    # 5 positives at an expected 20% positive rate: 25 answers, more than the 20 minimum.
    assert fresh.answers == 25 and fresh.positives == 0 and fresh.positive_rate == 0.2
    # The team's answers show more positives than the model expects: the estimate falls.
    given = answers("z", 4, 6)
    later = answers_needed(pool, C, given, policy)
    assert later.answers is not None and later.answers < fresh.answers - len(given)
    assert later.answered == 10 and later.positives == 4
    assert answers_needed(pool, C, answers("z", 5, 15), policy).answers == 0


def test_answers_needed_says_when_the_moments_cannot_supply_them() -> None:
    policy = QueuePolicy(min_positive=5, min_negative=5, min_answers=10, random_share=0.0)
    few = [moment(f"call{i}", 1, 0.5) for i in range(6)]
    assert answers_needed(few, C, [], policy).answers is None
    never = [moment(f"call{i}", 1, 0.0) for i in range(100)]
    assert answers_needed(never, C, [], policy).answers is None


@pytest.mark.parametrize(
    "kwargs",
    [{"target_positive_share": 0.0}, {"random_share": 1.5}, {"call_decay": 0.0}],
)
def test_policy_rejects_values_out_of_range(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        QueuePolicy(**kwargs)  # type: ignore[arg-type]
