"""Placing a rep's moments on a criterion's level ladder, and a call's evidence for a level.

The rubric's anchors say what each level looks like; the example lines show good (positive) and
poor (negative) practice; rated moments (segments managers pointed at when they rated a call)
show what their level looks like in this team's own calls. Together they are the *ladder* of a
criterion: texts, each standing for a level (embedded_rubric.py, embedded_teaching.py).

A turn's place on the ladder is the kernel-weighted mean level of the ladder's texts, weights
exp(LADDER_SHARPNESS x cosine similarity): a turn that reads like the level-4 anchor and the
positive examples sits near 4; one that reads like "no rush, take all the time you need" sits
near 1.5. A call's *quality* on a criterion is the ladder position of its strongest moments,
each weighted by how likely it is to be a moment of the criterion (softmax of the log-odds), so
the turns that matter decide it, not the filler around them.
"""

from __future__ import annotations

import numpy as np

LADDER_SHARPNESS = 20.0  # cosine differences of 0.05 weigh e^1: close texts dominate
MOMENT_TEMPERATURE = 1.0  # log-odds scale of the softmax that picks the moments that count
NEUTRAL_LEVEL = 3.0  # where a turn sits when the ladder is empty (never with a valid rubric)


def ladder_rungs(vectors: np.ndarray, ladder: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Each row's rung on the ladder (1-5), from its similarity to the ladder's texts."""
    if len(vectors) == 0:
        return np.zeros(0, dtype=np.float32)
    if len(ladder) == 0:
        return np.full(len(vectors), NEUTRAL_LEVEL, dtype=np.float32)
    scaled = LADDER_SHARPNESS * (vectors @ ladder.T)
    weights = np.exp(scaled - scaled.max(axis=1, keepdims=True))
    return np.asarray((weights @ levels) / weights.sum(axis=1), dtype=np.float32)


def moment_weights(logits: np.ndarray) -> np.ndarray:
    """How much each turn counts towards the call's quality: a softmax of its log-odds."""
    if len(logits) == 0:
        return np.zeros(0, dtype=np.float32)
    scaled = logits / MOMENT_TEMPERATURE
    weights = np.exp(scaled - scaled.max())
    return np.asarray(weights / weights.sum(), dtype=np.float32)


def call_quality(logits: np.ndarray, rungs: np.ndarray) -> float:
    """The ladder position of the call's strongest moments (NEUTRAL_LEVEL with no turns)."""
    if len(logits) == 0:
        return NEUTRAL_LEVEL
    return float(moment_weights(logits) @ rungs)
