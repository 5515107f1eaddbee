"""Which moments to ask people about next, so each answer teaches the scorer the most.

Three rules (issue 15, section 2):

1. Where the model is least certain: a turn whose likelihood sits at the criterion's presence
   bar is the one whose verdict moves the model most; one it is sure about teaches little.
2. Spread across calls and reps: a second moment of the same call, or of the same rep, counts
   less (DECAY_CALL, DECAY_REP per moment already chosen there), so the verdicts describe the
   team, not one conversation.
3. Seek likely positives of rare criteria: when few turns look like the criterion (a behaviour
   shown in 5% of turns) or people have confirmed far fewer moments than they rejected, the
   queue leans towards the turns most likely to show it, since a queue of negatives teaches
   nothing about what the behaviour sounds like.

Pure: candidates in, an ordered selection out. The teaching services and bench/agreement.py
(`--select queue`) call the same `select_moments`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

DECAY_CALL = 0.35  # weight of a further moment from a call already in the selection
DECAY_REP = 0.8  # ... from a rep already in the selection
RARE_SHARE = 0.15  # below this share of turns looking shown, a criterion counts as rare
SEEK_POSITIVES = 0.6  # how far a rare or positive-starved criterion leans to likely positives
BALANCE = 0.5  # confirmed/rejected ratio under which people have seen too few positives


@dataclass(frozen=True)
class Candidate:
    """A rep turn that could be asked about, with the model's current opinion of it."""

    call_id: str
    criterion_id: str
    segment: int
    likelihood: float  # the model's, now (with everything taught so far)
    present: float = 0.5  # the likelihood from which the model calls the turn shown
    rep: str | None = None


def _logit(p: float) -> float:
    q = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(q / (1 - q))


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
    counts: dict[str, tuple[int, int]] | None = None,
) -> list[Candidate]:
    """Up to `budget` candidates, in the order to ask them.

    `judged` holds (call, criterion, segment) already answered (never asked again); `counts`
    the (confirmed, rejected) verdicts each criterion has so far. With several criteria among
    the candidates, each criterion's queue is built by the same rules and they take turns.
    """
    counts = counts or {}
    done = set(judged)
    by_criterion: dict[str, list[Candidate]] = {}
    for c in candidates:
        if (c.call_id, c.criterion_id, c.segment) not in done:
            by_criterion.setdefault(c.criterion_id, []).append(c)
    queues = []
    for criterion_id, own in sorted(by_criterion.items()):
        confirmed, rejected = counts.get(criterion_id, (0, 0))
        lean = positive_lean(own, confirmed, rejected)
        queues.append(_spread(own, lean, budget))
    result: list[Candidate] = []
    for round_ in range(budget):
        for queue in queues:
            if round_ < len(queue) and len(result) < budget:
                result.append(queue[round_])
    return result


def _spread(candidates: list[Candidate], lean: float, budget: int) -> list[Candidate]:
    """Greedy: the best remaining candidate, each call and rep already chosen counting less."""
    base = [priority(c, lean) for c in candidates]
    # Deterministic tie-break: call, then segment.
    order = sorted(range(len(candidates)), key=lambda i: (-base[i], candidates[i].call_id))
    remaining = order[: max(budget * 20, 200)]  # the best few hundred are enough to spread
    calls: Counter[str] = Counter()
    reps: Counter[str | None] = Counter()
    chosen: list[Candidate] = []
    while remaining and len(chosen) < budget:
        best_at, best_value = 0, -1.0
        for at, i in enumerate(remaining):
            c = candidates[i]
            value = base[i] * DECAY_CALL ** calls[c.call_id]
            if c.rep is not None:
                value *= DECAY_REP ** reps[c.rep]
            if value > best_value:
                best_at, best_value = at, value
        c = candidates[remaining.pop(best_at)]
        chosen.append(c)
        calls[c.call_id] += 1
        reps[c.rep] += 1
    return chosen
