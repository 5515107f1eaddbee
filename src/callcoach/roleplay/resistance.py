"""How much a reply resists: a direction in embedding space learned from deal outcomes.

Difficulty (issue 17: how hard the prospect pushes back) needs to know which replies resist and
which concede, without a hand-written list of objection phrases. The organisation's calls carry
their outcome: in calls the rep lost, the customer's replies resist more, on the whole, than in
calls the rep won. A logistic regression on the replies' embeddings, with each reply labelled by
its call's outcome, gives a direction; a reply's resistance is its projection on it.

The human turn labels of the bench corpora (objection, disagreement vs agreement) are used only
to MEASURE how well this direction separates resisting from conceding replies (bench/practice.py),
never to fit it.

With too few calls of either outcome the direction is not learned and difficulty has no effect
(`ResistanceDirection.fit` returns None, and the engine says so).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from callcoach.roleplay.index import ReplyIndex

# design constant: fewer conversations than this of either outcome learns no direction
MIN_CONVERSATIONS_PER_OUTCOME = 10
DIFFICULTIES = (1, 2, 3)
NEUTRAL_DIFFICULTY = 2  # the persona answers as real people did


@dataclass(frozen=True)
class ResistanceDirection:
    direction: np.ndarray  # unit vector: towards replies from lost calls
    conversations_won: int
    conversations_lost: int

    @classmethod
    def fit(cls, index: ReplyIndex, rows: np.ndarray | None = None) -> ResistanceDirection | None:
        chosen = np.arange(len(index)) if rows is None else rows
        outcome = [index.candidates[r].won for r in chosen]
        known = np.array([o is not None for o in outcome], dtype=bool)
        lost = np.array([o is False for o in outcome], dtype=bool)
        codes = index.conversation_codes[chosen]
        won_conversations = len(set(codes[known & ~lost].tolist()))
        lost_conversations = len(set(codes[lost].tolist()))
        if min(won_conversations, lost_conversations) < MIN_CONVERSATIONS_PER_OUTCOME:
            return None
        model = LogisticRegression(class_weight="balanced", max_iter=1000)
        model.fit(index.replies[chosen][known], lost[known])
        weights = np.asarray(model.coef_[0], dtype=np.float32)
        return cls(weights / float(np.linalg.norm(weights)), won_conversations, lost_conversations)

    def score(self, vectors: np.ndarray) -> np.ndarray:
        return np.asarray(vectors @ self.direction, dtype=np.float32)


def _standardised(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)


def difficulty_adjusted(
    relevance: np.ndarray, resistance: np.ndarray, difficulty: int, step: float
) -> np.ndarray:
    """Relevance plus (difficulty - 2) * step * resistance, both standardised among the options.

    At 2 the ranking is the ranker's (what real people said); each level away moves the choice
    by `step` standard deviations of resistance per standard deviation of relevance.
    """
    shift = (difficulty - NEUTRAL_DIFFICULTY) * step
    return np.asarray(
        _standardised(relevance.astype(np.float64))
        + shift * _standardised(resistance.astype(np.float64)),
        dtype=np.float64,
    )
