"""Which moments to ask people about next, so each answer teaches the scorer the most.

Rules (issue 15, section 2):

1. Where the model is least certain: a turn whose likelihood sits at the criterion's presence
   bar is the one whose verdict moves the model most; one it is sure about teaches little.
2. Spread across calls and reps: a further moment of a call, or of a rep, already asked about
   or already chosen counts less (DECAY_CALL, DECAY_REP per moment there), so the verdicts
   describe the team, not one conversation (and trust, cross-validated by call, has calls to
   hold out). A moment whose words were already answered for the criterion is not asked again
   ("Thank you so much!" is the same verdict in every call).
3. Seek likely positives of rare criteria: when few turns look like the criterion (a behaviour
   shown in 5% of turns) or people have confirmed far fewer moments than they rejected, the
   queue leans towards the turns most likely to show it, since a queue of negatives teaches
   nothing about what the behaviour sounds like.
4. Now and then a moment drawn at random (RANDOM_SHARE of the picks): the likelihoods are the
   model's own guess, and a queue that only follows them never meets the turns where the model
   is wrong and sure.

`answers_needed` estimates the answers a criterion still needs to reach the minimum counts,
from the positive rate the queue's next picks are expected to have.

Pure: candidates in, an ordered selection out. The teaching services and bench/agreement.py
(`--select queue`, bench/selection.py) call the same `select_moments`; docs/scoring.md
"Teaching queue" has the measured learning curves against random picks.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

DECAY_CALL = 0.35  # weight of a further moment from a call already asked about or chosen
DECAY_REP = 0.8  # ... from a rep already asked about or chosen
RARE_SHARE = 0.15  # below this share of turns looking shown, a criterion counts as rare
SEEK_POSITIVES = 0.6  # how far a rare or positive-starved criterion leans to likely positives
BALANCE = 0.5  # confirmed/rejected ratio under which people have seen too few positives
RANDOM_SHARE = 0.1  # share of picks drawn at random among the unanswered moments
LOOKAHEAD = 20  # next picks whose likelihoods estimate the positive rate still to come
PRIOR_ANSWERS = 10.0  # how many answers those likelihoods count as against the observed share


@dataclass(frozen=True)
class Candidate:
    """A rep turn that could be asked about, with the model's current opinion of it."""

    call_id: str
    criterion_id: str
    segment: int
    likelihood: float  # the model's, now (with everything taught so far)
    present: float = 0.5  # the likelihood from which the model calls the turn shown
    rep: str | None = None
    text: str | None = None  # when given, the same words are not asked twice


def _logit(p: float) -> float:
    q = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(q / (1 - q))


def _words(text: str | None) -> str | None:
    return " ".join(text.lower().split()) if text else None


def relative(candidate: Candidate) -> float:
    """The likelihood re-centred on the presence bar (0.5 = exactly at the bar)."""
    z = _logit(candidate.likelihood) - _logit(candidate.present)
    return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def uncertainty(candidate: Candidate) -> float:
    """1 at the presence bar, towards 0 where the model is sure either way."""
    q = relative(candidate)
    return 4.0 * q * (1.0 - q)


def positive_lean(candidates: Sequence[Candidate], confirmed: int = 0, rejected: int = 0) -> float:
    """How much the criterion's queue should favour likely positives (0 to SEEK_POSITIVES)."""
    if not candidates:
        return 0.0
    shown = sum(c.likelihood >= c.present for c in candidates) / len(candidates)
    lean = 0.0
    if shown < RARE_SHARE:
        lean = SEEK_POSITIVES * (1.0 - shown / RARE_SHARE)
    if rejected and confirmed < BALANCE * rejected:
        lean = max(lean, SEEK_POSITIVES * (1.0 - confirmed / (BALANCE * rejected)))
    return lean


def priority(candidate: Candidate, lean: float) -> float:
    return (1.0 - lean) * uncertainty(candidate) + lean * relative(candidate)


def select_moments(
    candidates: Sequence[Candidate],
    budget: int,
    *,
    judged: Collection[tuple[str, str, int]] = (),
    counts: Mapping[str, tuple[int, int]] | None = None,
    judged_texts: Mapping[str, Collection[str]] | None = None,
    random_share: float = RANDOM_SHARE,
    seed: int = 0,
) -> list[Candidate]:
    """Up to `budget` candidates, in the order to ask them.

    `judged` holds (call, criterion, segment) already answered or skipped (never asked again;
    their calls and reps count for the spread); `counts` the (confirmed, rejected) verdicts
    each criterion has so far; `judged_texts` the words already answered per criterion. With
    several criteria among the candidates, each criterion's queue is built by the same rules
    and they take turns. Deterministic for the same inputs and seed.
    """
    if not 0 <= random_share <= 1:
        raise ValueError("random_share must be between 0 and 1")
    counts = counts or {}
    done = set(judged)
    by_criterion: dict[str, list[Candidate]] = {}
    for c in candidates:
        if (c.call_id, c.criterion_id, c.segment) not in done:
            by_criterion.setdefault(c.criterion_id, []).append(c)
    rep_of = {c.call_id: c.rep for c in candidates}
    queues = []
    for criterion_id, own in sorted(by_criterion.items()):
        confirmed, rejected = counts.get(criterion_id, (0, 0))
        asked = [call for call, cid, _ in done if cid == criterion_id]
        spread = _Spread(Counter(asked), Counter(rep_of.get(call) for call in asked))
        seen = {w for t in (judged_texts or {}).get(criterion_id, ()) if (w := _words(t))}
        own = [c for c in own if _words(c.text) not in seen or c.text is None]
        lean = positive_lean(own, confirmed, rejected)
        rng = random.Random(f"{seed}:{criterion_id}:{len(asked)}")
        queues.append(_queue(own, lean, budget, spread, random_share, rng))
    result: list[Candidate] = []
    for round_ in range(budget):
        for queue in queues:
            if round_ < len(queue) and len(result) < budget:
                result.append(queue[round_])
    return result


@dataclass
class _Spread:
    calls: Counter[str]
    reps: Counter[str | None]

    def factor(self, c: Candidate) -> float:
        value: float = DECAY_CALL ** self.calls[c.call_id]
        if c.rep is not None:
            value *= DECAY_REP ** self.reps[c.rep]
        return value

    def add(self, c: Candidate) -> None:
        self.calls[c.call_id] += 1
        if c.rep is not None:
            self.reps[c.rep] += 1


def _queue(
    candidates: list[Candidate],
    lean: float,
    budget: int,
    spread: _Spread,
    random_share: float,
    rng: random.Random,
) -> list[Candidate]:
    """Greedy: the best remaining candidate, each call and rep already asked or chosen counting
    less; every 1/random_share-th pick drawn at random instead."""
    base = [priority(c, lean) for c in candidates]
    # Lazy greedy: a candidate's value only falls as picks fill its call and rep, so a popped
    # one whose refreshed value still beats the next stored value is the best.
    heap = [
        (-base[i] * spread.factor(c), c.call_id, c.segment, i) for i, c in enumerate(candidates)
    ]
    heapq.heapify(heap)
    taken: set[int] = set()
    taken_words: set[str] = set()
    chosen: list[Candidate] = []

    def free(i: int) -> bool:
        words = _words(candidates[i].text)
        return i not in taken and (words is None or words not in taken_words)

    def take(i: int) -> None:
        taken.add(i)
        if (words := _words(candidates[i].text)) is not None:
            taken_words.add(words)
        spread.add(candidates[i])
        chosen.append(candidates[i])

    random_due = 0.0
    while len(chosen) < budget:
        random_due += random_share
        if random_due >= 1.0:
            random_due -= 1.0
            left = [i for i in range(len(candidates)) if free(i)]
            if not left:
                break
            take(left[rng.randrange(len(left))])
            continue
        found = None
        while heap:
            _, _, _, i = heapq.heappop(heap)
            if not free(i):
                continue
            value = base[i] * spread.factor(candidates[i])
            if heap and -value > heap[0][0] + 1e-12:
                heapq.heappush(heap, (-value, candidates[i].call_id, candidates[i].segment, i))
                continue
            found = i
            break
        if found is None:
            break
        take(found)
    return chosen


def answers_needed(
    candidates: Sequence[Candidate],
    criterion_id: str,
    confirmed: int,
    rejected: int,
    *,
    min_each: int,
    min_judgements: int,
    judged: Collection[tuple[str, str, int]] = (),
) -> int | None:
    """Answers the queue still needs before the criterion has `min_each` confirmed and rejected
    moments and `min_judgements` in all; None when the candidates cannot supply them.

    The positive rate still to come is the mean likelihood of the queue's next LOOKAHEAD picks
    (which lean to likely positives while they are scarce), corrected by the confirmed share of
    the answers so far: with n answers the observed share counts n times, the likelihoods
    PRIOR_ANSWERS times (the model's likelihoods are its guess; the answers are the team's).
    """
    answered = confirmed + rejected
    need_pos, need_neg = max(0, min_each - confirmed), max(0, min_each - rejected)
    need_any = max(0, min_judgements - answered)
    if need_pos == need_neg == need_any == 0:
        return 0
    own = [c for c in candidates if c.criterion_id == criterion_id]
    upcoming = select_moments(
        own,
        LOOKAHEAD,
        judged=judged,
        counts={criterion_id: (confirmed, rejected)},
        random_share=0.0,
    )
    predicted = sum(c.likelihood for c in upcoming) / len(upcoming) if upcoming else 0.0
    observed = (confirmed + 0.5) / (answered + 1)
    rate = (answered * observed + PRIOR_ANSWERS * predicted) / (answered + PRIOR_ANSWERS)
    if (need_pos and rate <= 0.0) or (need_neg and rate >= 1.0):
        return None
    estimate = need_any
    if need_pos:
        estimate = max(estimate, math.ceil(need_pos / rate))
    if need_neg:
        estimate = max(estimate, math.ceil(need_neg / (1 - rate)))
    left = sum((c.call_id, c.criterion_id, c.segment) not in set(judged) for c in own)
    return estimate if estimate <= left else None
