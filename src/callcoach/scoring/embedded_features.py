"""Generic evidence features of a rep turn for a criterion, and the zero-shot weights that combine them.

Every feature is computed the same way for every criterion of every rubric, from the rubric's own
text (see embedded_rubric.py) and generic properties of dialogue:

- similarity of the turn to the criterion's high anchors and positive examples (max and mean),
  to its low anchors and negative examples, and to its description;
- anchor contrast: positive minus negative similarity;
- relative fit: how much better the turn fits this criterion than the rubric's other criteria
  (a turn explaining the organisation is credibility, not a close attempt, even if both are near);
- context: how well the other party's turn just before fits the criterion (an objection before a
  reply, a question about price before a pricing move);
- dialogue-act cues compared with the criterion's examples: is it a question, a request ("would
  you..."), addressed to "you", about "I"/"we", with numbers; these are English function words
  and punctuation, the same list for every criterion, never words of any criterion;
- length of the turn.

`ZERO_SHOT_WEIGHTS` turn those features into the log-odds that the turn shows the criterion. They
are method parameters, shared by all criteria of all rubrics, fitted by bench/meta_weights.py on the
pooled criteria of the two bench corpora (the fit on one corpus transfers to the other, see
docs/scoring.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from callcoach.domain.calls import Call

if TYPE_CHECKING:
    from callcoach.scoring.embedded_rubric import RubricPrototypes

_SECOND_PERSON = re.compile(r"\b(you|your|you're|yours|yourself|u)\b")
_FIRST_SINGULAR = re.compile(r"\b(i|my|me|i'm|i've|i'd|i'll|mine|myself)\b")
_FIRST_PLURAL = re.compile(r"\b(we|our|us|let's|ours|we're|we'll)\b")
_NUMBER = re.compile(r"\d|[$€£%]")
_REQUEST = re.compile(r"\b(would|could|can|will|won't|wouldn't)\s+(you|u)\b")
_NEGATION = re.compile(r"\b(not|no|never|don't|can't|won't|isn't|aren't|nothing)\b|n't\b")

FEATURE_NAMES = (
    "pos_max",
    "pos_mean",
    "neg_max",
    "description",
    "context",
    "acts",
    "length",
    "relative_mean",
    "relative_max",
    "contrast",
)


def act_cues(text: str) -> np.ndarray:
    """Generic dialogue-act cues of one line (no criterion vocabulary)."""
    lower = text.lower()
    return np.array(
        [
            1.0 if "?" in text else 0.0,
            1.0 if _SECOND_PERSON.search(lower) else 0.0,
            1.0 if _FIRST_SINGULAR.search(lower) else 0.0,
            1.0 if _FIRST_PLURAL.search(lower) else 0.0,
            1.0 if _NUMBER.search(text) else 0.0,
            1.0 if _REQUEST.search(lower) else 0.0,
            1.0 if _NEGATION.search(lower) else 0.0,
        ],
        dtype=np.float32,
    )


def log_length(text: str) -> float:
    return float(np.log1p(len(text.split())))


@dataclass(frozen=True)
class TurnBatch:
    """Turns to judge, with what came just before each (zero vector when nothing did)."""

    vectors: np.ndarray  # turns x dim
    contexts: np.ndarray  # turns x dim
    cues: np.ndarray  # turns x cues
    lengths: np.ndarray  # turns
    positions: np.ndarray | None = None  # turns: 0 at the start of the call, 1 at the end


def previous_other_turn(call: Call, index: int) -> int | None:
    """The last turn before `index` spoken by someone other than its speaker's role."""
    role = call.segments[index].role
    for earlier in range(index - 1, -1, -1):
        if call.segments[earlier].role is not role:
            return earlier
    return None


def previous_other_turns(call: Call) -> list[int | None]:
    """`previous_other_turn` for every segment, in one pass over the call."""
    last: dict[object, int] = {}
    result: list[int | None] = []
    for seg in call.segments:
        others = [index for role, index in last.items() if role is not seg.role]
        result.append(max(others) if others else None)
        last[seg.role] = seg.index
    return result


def relative_positions(call: Call, indexes: list[int]) -> np.ndarray:
    """Where each segment sits in the call: by time when the transcript has it, else by order."""
    if call.has_timing:
        start = call.segments[0].start or 0.0
        end = max((s.end or 0.0) for s in call.segments)
        span = max(end - start, 1e-6)
        values = [((call.segments[i].start or 0.0) - start) / span for i in indexes]
    else:
        span = max(len(call.segments) - 1, 1)
        values = [i / span for i in indexes]
    return np.clip(np.array(values, dtype=np.float32), 0.0, 1.0)


def texts_batch(
    texts: list[str], vectors: np.ndarray, contexts: np.ndarray, positions: np.ndarray | None
) -> TurnBatch:
    cues = (
        np.stack([act_cues(t) for t in texts])
        if texts
        else np.zeros((0, len(act_cues(""))), np.float32)
    )
    return TurnBatch(
        vectors=vectors,
        contexts=contexts,
        cues=cues,
        lengths=np.array([log_length(t) for t in texts], dtype=np.float32),
        positions=positions,
    )


def call_turn_batch(call: Call, embeddings: np.ndarray, indexes: list[int]) -> TurnBatch:
    previous = previous_other_turns(call)
    contexts = np.zeros((len(indexes), embeddings.shape[1]), dtype=np.float32)
    pairs = [
        (row, before)
        for row, index in enumerate(indexes)
        if (before := previous[index]) is not None
    ]
    if pairs:
        contexts[[row for row, _ in pairs]] = embeddings[[before for _, before in pairs]]
    texts = [call.segments[i].text for i in indexes]
    return texts_batch(texts, embeddings[indexes], contexts, relative_positions(call, indexes))


def turn_features(batch: TurnBatch, prototypes: RubricPrototypes) -> dict[str, np.ndarray]:
    """Feature matrix (turns x FEATURE_NAMES) per criterion id."""
    pos_max: dict[str, np.ndarray] = {}
    partial: dict[str, list[np.ndarray]] = {}
    for cid, proto in prototypes.criteria.items():
        pos = batch.vectors @ proto.positive.T
        neg = batch.vectors @ proto.negative.T
        desc = (batch.vectors @ proto.description.T)[:, 0]
        context = (batch.contexts @ np.vstack([proto.positive, proto.description]).T).max(axis=1)
        acts = batch.cues @ proto.act_profile
        pos_max[cid] = pos.max(axis=1)
        partial[cid] = [
            pos_max[cid],
            pos.mean(axis=1),
            neg.max(axis=1),
            desc,
            context,
            acts,
            batch.lengths,
        ]
    features: dict[str, np.ndarray] = {}
    for cid, columns in partial.items():
        others = [v for other, v in pos_max.items() if other != cid]
        if others:
            stacked = np.stack(others)
            relative_mean = pos_max[cid] - stacked.mean(axis=0)
            relative_max = pos_max[cid] - stacked.max(axis=0)
        else:
            relative_mean = np.zeros_like(pos_max[cid])
            relative_max = np.zeros_like(pos_max[cid])
        contrast = columns[0] - columns[2]
        features[cid] = np.stack([*columns, relative_mean, relative_max, contrast], axis=1)
    return features


# Fitted by bench/meta_weights.py (pooled criteria of both bench corpora); see module docstring.
ZERO_SHOT_CENTER = np.array(
    [0.27418, 0.13754, 0.25292, 0.11434, 0.24969, 0.13626, 2.77380, 0.0, -0.11646, 0.02126],
    dtype=np.float32,
)
ZERO_SHOT_SCALE = np.array(
    [0.12997, 0.07961, 0.13670, 0.12740, 0.14590, 0.60228, 0.73145, 0.12997, 0.17106, 0.18256],
    dtype=np.float32,
)
ZERO_SHOT_WEIGHTS = np.array(
    [-0.21691, 0.62321, -0.14673, -0.31316, 0.14128, 0.24559, 0.70032, 0.83477, 0.32270, -0.04455],
    dtype=np.float32,
)
ZERO_SHOT_BIAS = -2.22761


# Feature groups that can be switched off to measure what each buys (bench/agreement.py ablations).
FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "context": ("context",),
    "acts": ("acts",),
    "relative": ("relative_mean", "relative_max"),
    "negatives": ("neg_max", "contrast"),
}


def without(features: np.ndarray, groups: frozenset[str]) -> np.ndarray:
    """The features with the named groups held at their average (standardized value 0)."""
    if not groups:
        return features
    result = features.copy()
    for group in groups:
        for name in FEATURE_GROUPS[group]:
            column = FEATURE_NAMES.index(name)
            result[:, column] = ZERO_SHOT_CENTER[column]
    return result


def standardize(features: np.ndarray) -> np.ndarray:
    return np.asarray((features - ZERO_SHOT_CENTER) / ZERO_SHOT_SCALE, dtype=np.float32)


def zero_shot_logit(features: np.ndarray) -> np.ndarray:
    """Log-odds that each turn shows the criterion, from the rubric's text alone."""
    return np.asarray(standardize(features) @ ZERO_SHOT_WEIGHTS + ZERO_SHOT_BIAS, dtype=np.float32)
