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
- length of the turn;
- the similarity features again (all but acts and length), against the criterion's *distinct*
  texts: less what every text of the rubric shares (embedded_rubric.py).

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

# Dialogue-act cues, one column each: 0 question mark, 1 "you", 2 "I", 3 "we", 4 a number,
# 5 a request ("would you"), 6 a negation. English function words, never a criterion's words.
_CUE_COUNT = 7
_WORD_COLUMNS = {
    **dict.fromkeys(("you", "your", "you're", "yours", "yourself", "u"), 1),
    **dict.fromkeys(("i", "my", "me", "i'm", "i've", "i'd", "i'll", "mine", "myself"), 2),
    **dict.fromkeys(("we", "our", "us", "let's", "ours", "we're", "we'll"), 3),
    **dict.fromkeys(("not", "no", "never", "don't", "can't", "isn't", "aren't", "nothing"), 6),
}
_MODALS = ("would", "could", "can", "will", "won't", "wouldn't")  # + "you": a request
# One scan of the lower-cased text finds every cue word and modal ("n't" ends a negation).
_CUE_WORDS = re.compile(
    r"\b(?:"
    + "|".join(re.escape(w) for w in sorted({*_WORD_COLUMNS, *_MODALS}, key=len, reverse=True))
    + r")\b|n't\b"
)
_ADDRESSED = re.compile(r"\s+(?:you|u)\b")
_NUMBER = re.compile(r"\d|[$€£%]")
_SEPARATOR = "\x00"  # neither a word character nor a space: no pattern matches across it

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
    "distinct_pos_max",
    "distinct_pos_mean",
    "distinct_neg_max",
    "distinct_description",
    "distinct_context",
    "distinct_relative_mean",
    "distinct_relative_max",
    "distinct_contrast",
)


def act_cues(text: str) -> np.ndarray:
    """Generic dialogue-act cues of one line (no criterion vocabulary)."""
    return np.asarray(act_cues_batch([text])[0], dtype=np.float32)


def act_cues_batch(texts: list[str]) -> np.ndarray:
    """`act_cues` of many lines (lines x cues). One scan of all the lines joined finds the cue
    words (a regex search per line and cue was a tenth of a re-score).

    Lines are joined with a separator no pattern matches or spans (any in a line is replaced by
    another character that is neither a word character nor a space); a match belongs to the
    line its start falls in.
    """
    cues = np.zeros((len(texts), _CUE_COUNT), dtype=np.float32)
    if not texts:
        return cues
    cues[:, 0] = ["?" in t for t in texts]
    cues[:, 4] = [_NUMBER.search(t) is not None for t in texts]
    lower = [t.replace(_SEPARATOR, "\x01").lower() for t in texts]
    joined = _SEPARATOR.join(lower)
    found = [(m.start(), m.end(), m.group()) for m in _CUE_WORDS.finditer(joined)]
    if not found:
        return cues
    ends = np.cumsum([len(line) + 1 for line in lower])  # lower() may change a line's length
    rows = np.searchsorted(ends, [start for start, _, _ in found], side="right")
    for row, (_, end, word) in zip(rows.tolist(), found, strict=True):
        column = _WORD_COLUMNS.get(word)
        if column is not None:
            cues[row, column] = 1.0
        if word.endswith("n't"):
            cues[row, 6] = 1.0
        if word in _MODALS and _ADDRESSED.match(joined, end):
            cues[row, 5] = 1.0
    return cues


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
    texts: tuple[str, ...] = ()  # the turns' words, for what teaching learns from them
    context_texts: tuple[str, ...] = ()  # the words that came just before each ("" when none)
    replies: np.ndarray | None = None  # turns x dim: the other party's next turn (zero: none)
    reply_texts: tuple[str, ...] = ()  # its words ("" when none)


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


def next_other_turns(call: Call) -> list[int | None]:
    """For every segment, the first later turn spoken by another role (its reply), in one pass."""
    upcoming: dict[object, int] = {}
    result: list[int | None] = [None] * len(call.segments)
    for seg in reversed(call.segments):
        others = [index for role, index in upcoming.items() if role is not seg.role]
        result[seg.index] = min(others) if others else None
        upcoming[seg.role] = seg.index
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
    texts: list[str],
    vectors: np.ndarray,
    contexts: np.ndarray,
    positions: np.ndarray | None,
    context_texts: list[str] | None = None,
    replies: np.ndarray | None = None,
    reply_texts: list[str] | None = None,
) -> TurnBatch:
    return TurnBatch(
        vectors=vectors,
        contexts=contexts,
        cues=act_cues_batch(texts),
        lengths=np.array([log_length(t) for t in texts], dtype=np.float32),
        positions=positions,
        texts=tuple(texts),
        context_texts=tuple(context_texts) if context_texts is not None else ("",) * len(texts),
        replies=replies,
        reply_texts=tuple(reply_texts) if reply_texts is not None else ("",) * len(texts),
    )


def call_turn_batch(
    call: Call, embeddings: np.ndarray, indexes: list[int], with_replies: bool = False
) -> TurnBatch:
    """The turns at `indexes`, with the other party's turn before each (and, `with_replies`,
    the one after: read only by teaching that reads replies, a bench option)."""
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
    context_texts = [
        "" if (before := previous[i]) is None else call.segments[before].text for i in indexes
    ]
    # What the other party said next (an answer to a question, a pledge after an ask): stored
    # embeddings of the call, so reading it costs no encoding.
    replies, reply_texts = None, None
    if with_replies:
        following = next_other_turns(call)
        replies = np.zeros_like(contexts)
        after = [
            (row, n) for row, index in enumerate(indexes) if (n := following[index]) is not None
        ]
        if after:
            replies[[row for row, _ in after]] = embeddings[[n for _, n in after]]
        reply_texts = [
            "" if (n := following[i]) is None else call.segments[n].text for i in indexes
        ]
    return texts_batch(
        texts,
        embeddings[indexes],
        contexts,
        relative_positions(call, indexes),
        context_texts,
        replies,
        reply_texts,
    )


def _similarities(
    batch: TurnBatch, positive: np.ndarray, negative: np.ndarray, description: np.ndarray
) -> list[np.ndarray]:
    """pos_max, pos_mean, neg_max, description and context similarities of every turn."""
    pos = batch.vectors @ positive.T
    neg = batch.vectors @ negative.T
    context = (batch.contexts @ np.vstack([positive, description]).T).max(axis=1)
    return [
        pos.max(axis=1),
        pos.mean(axis=1),
        neg.max(axis=1),
        (batch.vectors @ description.T)[:, 0],
        context,
    ]


def _relative(pos_max: dict[str, np.ndarray], cid: str) -> tuple[np.ndarray, np.ndarray]:
    """How much better the turn fits `cid` than the rubric's other criteria (mean, closest)."""
    others = [v for other, v in pos_max.items() if other != cid]
    if not others:
        return np.zeros_like(pos_max[cid]), np.zeros_like(pos_max[cid])
    stacked = np.stack(others)
    return pos_max[cid] - stacked.mean(axis=0), pos_max[cid] - stacked.max(axis=0)


def turn_features(batch: TurnBatch, prototypes: RubricPrototypes) -> dict[str, np.ndarray]:
    """Feature matrix (turns x FEATURE_NAMES) per criterion id."""
    raw: dict[str, list[np.ndarray]] = {}
    distinct: dict[str, list[np.ndarray]] = {}
    for cid, proto in prototypes.criteria.items():
        raw[cid] = _similarities(batch, proto.positive, proto.negative, proto.description)
        distinct[cid] = _similarities(
            batch, proto.distinct_positive, proto.distinct_negative, proto.distinct_description
        )
    raw_max = {cid: columns[0] for cid, columns in raw.items()}
    distinct_max = {cid: columns[0] for cid, columns in distinct.items()}
    features: dict[str, np.ndarray] = {}
    for cid, proto in prototypes.criteria.items():
        acts = batch.cues @ proto.act_profile
        pos_max, pos_mean, neg_max, desc, context = raw[cid]
        d_pos_max, d_pos_mean, d_neg_max, d_desc, d_context = distinct[cid]
        features[cid] = np.stack(
            [
                pos_max,
                pos_mean,
                neg_max,
                desc,
                context,
                acts,
                batch.lengths,
                *_relative(raw_max, cid),
                pos_max - neg_max,
                d_pos_max,
                d_pos_mean,
                d_neg_max,
                d_desc,
                d_context,
                *_relative(distinct_max, cid),
                d_pos_max - d_neg_max,
            ],
            axis=1,
        )
    return features


# Fitted by bench/meta_weights.py (pooled criteria of both bench corpora); see module docstring.
# fmt: off
ZERO_SHOT_CENTER = np.array([
    0.27408, 0.13746, 0.25293, 0.11409, 0.24959, 0.13626, 2.77380, 0.00000, -0.11648,
    0.02115, 0.15806, 0.00696, 0.13658, -0.01937, 0.14869, 0.00000, -0.12701, 0.02148
], dtype=np.float32)
ZERO_SHOT_SCALE = np.array([
    0.13000, 0.07962, 0.13672, 0.12754, 0.14590, 0.60228, 0.73145, 0.12999, 0.17110,
    0.18259, 0.12472, 0.06945, 0.13248, 0.11285, 0.12555, 0.14131, 0.18122, 0.19995
], dtype=np.float32)
ZERO_SHOT_WEIGHTS = np.array([
    0.41772, 0.11001, -0.43405, -0.29318, -0.13269, 0.25442, 0.55921, 0.65254, 0.61705,
    0.62242, -0.22320, 0.43351, 0.41833, 0.19035, 0.28157, -0.55493, -0.13624, -0.41639
], dtype=np.float32)
ZERO_SHOT_BIAS = -2.21408
# fmt: on


@dataclass(frozen=True)
class ZeroShotWeights:
    """The zero-shot weights with where they were fitted: a figure measured on data they were
    fitted on is not a zero-shot figure (bench/agreement.py fits them on the other corpus)."""

    center: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    fitted_on: str


DEFAULT_ZERO_SHOT = ZeroShotWeights(
    ZERO_SHOT_CENTER,
    ZERO_SHOT_SCALE,
    ZERO_SHOT_WEIGHTS,
    ZERO_SHOT_BIAS,
    "pooled rep turns of both bench corpora (bench/meta_weights.py)",
)


# Feature groups that can be switched off to measure what each buys (bench/agreement.py ablations).
FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "context": ("context", "distinct_context"),
    "acts": ("acts",),
    "relative": (
        "relative_mean",
        "relative_max",
        "distinct_relative_mean",
        "distinct_relative_max",
    ),
    "negatives": ("neg_max", "contrast", "distinct_neg_max", "distinct_contrast"),
    "distinct": tuple(name for name in FEATURE_NAMES if name.startswith("distinct_")),
}


def without(
    features: np.ndarray, groups: frozenset[str], zero_shot: ZeroShotWeights = DEFAULT_ZERO_SHOT
) -> np.ndarray:
    """The features with the named groups held at their average (standardized value 0)."""
    if not groups:
        return features
    result = features.copy()
    for group in groups:
        for name in FEATURE_GROUPS[group]:
            column = FEATURE_NAMES.index(name)
            result[:, column] = zero_shot.center[column]
    return result


def standardize(features: np.ndarray, zero_shot: ZeroShotWeights = DEFAULT_ZERO_SHOT) -> np.ndarray:
    return np.asarray((features - zero_shot.center) / zero_shot.scale, dtype=np.float32)


def zero_shot_logit(
    features: np.ndarray, zero_shot: ZeroShotWeights = DEFAULT_ZERO_SHOT
) -> np.ndarray:
    """Log-odds that each turn shows the criterion, from the rubric's text alone."""
    z = standardize(features, zero_shot) @ zero_shot.weights + zero_shot.bias
    return np.asarray(z, dtype=np.float32)
