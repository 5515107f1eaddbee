"""Which moments to ask a person about next, so that each answer teaches the scorer the most.

A teaching session is about one criterion: the person sees one rep turn at a time and confirms,
rejects or skips it as a moment of the criterion. Every answer costs a manager's attention, so
the queue picks, among the rep turns not yet answered for the criterion:

- the moments the model is least sure of (likelihood near 0.5): a confirmed turn the model
  already gave 0.97 teaches it little;
- likely positives while positives are scarce: a criterion shown in 5% of turns learns nothing
  from a queue of negatives, and the teaching model is fitted only once it has `min_positive`
  confirmed turns (scoring/embedded_teaching.py `MIN_EACH`). The less the positive share of the
  answers so far, the more the pick leans on the likelihood itself instead of its uncertainty
  (and the same the other way for a criterion shown almost everywhere);
- spread over calls and reps: each answer already given (or picked) in the same call divides a
  moment's value by `CALL_DECAY`, in the same rep's calls by `REP_DECAY`, so the team's verdicts
  cover many conversations (trust is cross-validated by call, and a rep's habits are not the
  team's). A moment whose words were already answered for the criterion is not asked again;
- now and then a moment drawn at random (`random_share`): the likelihoods are the model's own
  guess, and a queue that only follows them never learns where the model is wrong and sure.

Pure: candidate moments and answers in, picks out; the caller reads them from the store and
re-ranks after the scorer re-learns. Measured against random picks in bench/agreement.py
(`--select queue|random --budget N`, docs/scoring.md "Teaching queue").
"""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

CALL_DECAY = 0.35  # value kept by a moment per answer already given in its call
REP_DECAY = 0.85  # ... per answer already given in its rep's calls
LOOKAHEAD = 20  # picks whose likelihoods estimate the positive rate of what comes next
PRIOR_ANSWERS = 10.0  # how many answers the likelihoods of the next picks count as


@dataclass(frozen=True)
class Moment:
    """A rep turn that may be asked about, with the model's likelihood per criterion."""

    call_id: str
    segment: int
    likelihood: Mapping[str, float]  # criterion id -> probability the turn shows it
    rep_id: str | None = None
    text: str | None = None  # when given, the same words are not asked twice

    @property
    def key(self) -> tuple[str, int]:
        return (self.call_id, self.segment)


@dataclass(frozen=True)
class Answer:
    """A person's answer about one moment and criterion: True confirmed, False rejected,
    None skipped (not asked again, teaches nothing)."""

    call_id: str
    segment: int
    criterion_id: str
    verdict: bool | None
    rep_id: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class QueuePolicy:
    """How the queue trades uncertainty, positives, spread and random checks.

    The defaults are the ones measured in bench/agreement.py --select queue.
    """

    target_positive_share: float = 0.5  # positive share of answers the queue steers towards
    call_decay: float = CALL_DECAY
    rep_decay: float = REP_DECAY
    random_share: float = 0.1  # share of picks drawn at random among unanswered moments
    seed: int = 0
    # The least a criterion needs before its agreement can be judged (the trust state's
    # minimum): `answers_needed` counts towards these.
    min_positive: int = 10
    min_negative: int = 10
    min_answers: int = 40

    def __post_init__(self) -> None:
        if not 0 < self.target_positive_share < 1:
            raise ValueError("target_positive_share must be between 0 and 1")
        if not 0 <= self.random_share <= 1:
            raise ValueError("random_share must be between 0 and 1")
        if not (0 < self.call_decay <= 1 and 0 < self.rep_decay <= 1):
            raise ValueError("call_decay and rep_decay must be in (0, 1]")


DEFAULT_POLICY = QueuePolicy()


@dataclass(frozen=True)
class Pick:
    """A moment to ask about, why it was chosen, and its value when chosen."""

    moment: Moment
    criterion_id: str
    likelihood: float
    reason: str  # "unsure", "likely positive", "likely negative", "random check"
    value: float


@dataclass(frozen=True)
class Needed:
    """Answers still needed for a criterion before its agreement can be judged.

    `answers` is None when the unanswered moments cannot supply them (too few left, or none
    likely to be a positive).
    """

    criterion_id: str
    answers: int | None
    positives: int
    negatives: int
    answered: int
    positive_rate: float  # expected share of positives among the next picks


def _normal(text: str | None) -> str | None:
    return " ".join(text.lower().split()) if text else None


def _lean(positives: int, negatives: int, target: float) -> float:
    """-1..1: how far to lean towards likely positives (>0) or likely negatives (<0).

    From the answers' positive share (Beta(1, 1) prior) against the target share.
    """
    share = (positives + 1) / (positives + negatives + 2)
    if share < target:
        return (target - share) / target
    return -(share - target) / (1 - target)


def _base_value(p: float, lean: float) -> tuple[float, str]:
    p = min(max(p, 0.0), 1.0)
    unsure = 4 * p * (1 - p)
    if lean > 0:
        value = (1 - lean) * unsure + lean * p
        return value, "likely positive" if lean > 0.5 and p >= 0.5 else "unsure"
    if lean < 0:
        value = (1 + lean) * unsure - lean * (1 - p)
        return value, "likely negative" if lean < -0.5 and p < 0.5 else "unsure"
    return unsure, "unsure"


def _counts(answers: Sequence[Answer], criterion_id: str) -> tuple[int, int]:
    own = [a.verdict for a in answers if a.criterion_id == criterion_id]
    return sum(v is True for v in own), sum(v is False for v in own)


def _unanswered(moments: Sequence[Moment], criterion_id: str, answers: Sequence[Answer]) -> int:
    """How many distinct moments (by words, when known) are still unanswered for the criterion."""
    own = [a for a in answers if a.criterion_id == criterion_id]
    answered = {(a.call_id, a.segment) for a in own}
    seen = {t for a in own if (t := _normal(a.text))}
    left = 0
    for m in moments:
        if criterion_id not in m.likelihood or m.key in answered:
            continue
        words = _normal(m.text)
        if words is not None:
            if words in seen:
                continue
            seen.add(words)
        left += 1
    return left


def next_moments(
    moments: Iterable[Moment],
    criterion_id: str,
    answers: Sequence[Answer] = (),
    count: int = 1,
    policy: QueuePolicy = DEFAULT_POLICY,
) -> list[Pick]:
    """The next `count` moments to ask about for `criterion_id`, best first.

    Moments without a likelihood for the criterion, and moments (or words) already answered or
    skipped for it, are never picked. Deterministic for the same inputs and policy seed.
    """
    if count <= 0:
        return []
    own = [a for a in answers if a.criterion_id == criterion_id]
    answered = {(a.call_id, a.segment) for a in own}
    answered_words = {t for a in own if (t := _normal(a.text))}
    pool = [
        m
        for m in moments
        if criterion_id in m.likelihood
        and m.key not in answered
        and not (m.text and _normal(m.text) in answered_words)
    ]
    if not pool:
        return []
    positives, negatives = _counts(own, criterion_id)
    lean = _lean(positives, negatives, policy.target_positive_share)
    per_call = Counter(a.call_id for a in own if a.verdict is not None)
    per_rep = Counter(a.rep_id for a in own if a.verdict is not None and a.rep_id)
    rng = random.Random(f"{policy.seed}:{criterion_id}:{len(own)}")

    def spread(m: Moment) -> float:
        factor = policy.call_decay ** per_call[m.call_id]
        if m.rep_id:
            factor *= policy.rep_decay ** per_rep[m.rep_id]
        return factor

    base: dict[tuple[str, int], tuple[float, str]] = {
        m.key: _base_value(m.likelihood[criterion_id], lean) for m in pool
    }
    # Lazy greedy: a moment's value only falls as picks fill its call, so a popped moment
    # whose refreshed value still beats the next stored one is the best.
    heap = [(-base[m.key][0] * spread(m), m.call_id, m.segment, i) for i, m in enumerate(pool)]
    heapq.heapify(heap)
    taken: set[tuple[str, int]] = set()
    taken_words: set[str] = set()
    picks: list[Pick] = []

    def take(m: Moment, reason: str, value: float) -> None:
        taken.add(m.key)
        if (words := _normal(m.text)) is not None:
            taken_words.add(words)
        per_call[m.call_id] += 1
        if m.rep_id:
            per_rep[m.rep_id] += 1
        picks.append(Pick(m, criterion_id, float(m.likelihood[criterion_id]), reason, value))

    def free(m: Moment) -> bool:
        return m.key not in taken and not (m.text and _normal(m.text) in taken_words)

    random_due = 0.0
    while len(picks) < count:
        random_due += policy.random_share
        if random_due >= 1.0:
            random_due -= 1.0
            left = [m for m in pool if free(m)]
            if not left:
                break
            chosen = left[rng.randrange(len(left))]
            take(chosen, "random check", base[chosen.key][0] * spread(chosen))
            continue
        found = None
        while heap:
            stored, _, _, i = heapq.heappop(heap)
            m = pool[i]
            if not free(m):
                continue
            value = base[m.key][0] * spread(m)
            if heap and -value > heap[0][0] + 1e-12:
                heapq.heappush(heap, (-value, m.call_id, m.segment, i))
                continue
            found = (m, value)
            break
        if found is None:
            break
        take(found[0], base[found[0].key][1], found[1])
    return picks


def answers_needed(
    moments: Iterable[Moment],
    criterion_id: str,
    answers: Sequence[Answer] = (),
    policy: QueuePolicy = DEFAULT_POLICY,
) -> Needed:
    """How many more answers the queue expects to need before the criterion has the minimum
    positives, negatives and answers for its agreement to be judged.

    The positive rate of the coming picks is the mean likelihood of the next `LOOKAHEAD` picks,
    corrected by what the answers so far showed: with n answers, the observed positive share
    counts n times, the likelihoods `PRIOR_ANSWERS` times (the model's likelihoods are its own
    guess; the answers are the team's).
    """
    pool = list(moments)
    positives, negatives = _counts(answers, criterion_id)
    answered = positives + negatives
    upcoming = next_moments(pool, criterion_id, answers, LOOKAHEAD, policy)
    predicted = sum(p.likelihood for p in upcoming) / len(upcoming) if upcoming else 0.0
    observed = (positives + 0.5) / (answered + 1)
    rate = (answered * observed + PRIOR_ANSWERS * predicted) / (answered + PRIOR_ANSWERS)
    rate = min(max(rate, 0.0), 1.0)
    left = _unanswered(pool, criterion_id, answers)
    need_pos = max(0, policy.min_positive - positives)
    need_neg = max(0, policy.min_negative - negatives)
    need_any = max(0, policy.min_answers - answered)
    estimate: int | None
    if need_pos == need_neg == need_any == 0:
        estimate = 0
    elif (need_pos and rate <= 0.0) or (need_neg and rate >= 1.0):
        estimate = None
    else:
        candidates = [need_any]
        if need_pos:
            candidates.append(math.ceil(need_pos / rate))
        if need_neg:
            candidates.append(math.ceil(need_neg / (1 - rate)))
        estimate = max(candidates)
        if estimate > left:
            estimate = None
    return Needed(criterion_id, estimate, positives, negatives, answered, round(rate, 3))
