"""What people taught the embedded scorer, turned into one small model per criterion.

Managers confirm or reject evidence, and ratings may name the segment that shows the level they
gave: each becomes a labelled turn for a criterion (scoring/base.py `LabelledTurn`). A rated
moment is positive whatever its level (it is where the criterion plays out: "no rush, take your
time" is the moment behind a level 1 on urgency), and the other rep turns of a rated call are
weak negatives ("background": people pointed elsewhere, though they may have skipped a second
moment, so each counts `BACKGROUND_WEIGHT` of a verdict and is never remembered as one).

With enough labelled turns for a criterion (at least `MIN_EACH` positive and `MIN_EACH`
negative), a logistic regression learns from the turn's embedding, its context's embedding, the
words of both (the vocabulary is the labelled turns' own: `Words`), the generic features, where
the turn sits in the call and the zero-shot log-odds, so it starts from what the rubric says and
corrects it where people disagreed. With fewer, the zero-shot log-odds are nudged towards turns
close to confirmed ones and away from turns close to rejected ones.

Rated moments also extend the criterion's level ladder (embedded_levels.py): each is a
prototype of the level people gave, next to the rubric's anchors and examples. Models are
fitted once per process per rubric and teaching state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from threading import Lock

import numpy as np
from scipy import sparse

from callcoach.scoring.base import LabelledTurn, RubricGuidance
from callcoach.scoring.embedded_features import (
    DEFAULT_ZERO_SHOT,
    TurnBatch,
    ZeroShotWeights,
    standardize,
    texts_batch,
    turn_features,
    without,
    zero_shot_logit,
)
from callcoach.scoring.embedded_rubric import RubricPrototypes
from callcoach.scoring.embedding_model import EmbeddingModel
from callcoach.scoring.offset_logistic import OffsetLogistic
from callcoach.scoring.teaching_words import NO_WORDS, Words

MIN_EACH = 5  # confirmed and rejected turns a criterion needs before a model is fitted
CONTEXT_WEIGHT = 0.5  # the context embedding counts, but less than the turn itself
FEATURE_WEIGHT = 0.3  # generic features next to 384 embedding dimensions
NUDGE = 4.0  # log-odds per unit of similarity margin when too few labels to fit a model
NEIGHBOURS = 3  # nearest labelled turns averaged on each side
NEIGHBOUR_WEIGHT = 5.0  # similarity margins are small numbers; scale them like the logits
SAME_TURN = 0.97  # cosine above which two turns say the same thing
SAME_CONTEXT = 0.9
REMEMBERED = 2.0  # log-odds a judged turn keeps at least (confirmed) or at most (rejected)
BACKGROUND_WEIGHT = 0.3  # an unrated turn of a rated call: a weak negative, not a verdict
POSITION_WEIGHT = 1.0  # where in the call (a close near the end, discovery early) can be learned
UNKNOWN_POSITION = 0.5
REPLY_WEIGHT = 0.5  # the other party's next turn, weighed like the turn before


def _top_mean(similarities: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
    """Mean of each row's k largest similarities (0 when the row is empty)."""
    if similarities.shape[1] == 0:
        return np.zeros(similarities.shape[0], dtype=np.float32)
    k = min(k, similarities.shape[1])
    top = np.partition(similarities, similarities.shape[1] - k, axis=1)[:, -k:]
    return np.asarray(top.mean(axis=1), dtype=np.float32)


def _neighbour_columns(
    turn_sim: np.ndarray,
    context_sim: np.ndarray,
    labels: np.ndarray,
    reply_sim: np.ndarray | None = None,
) -> np.ndarray:
    """How close each turn (and its context) is to confirmed versus rejected turns (and theirs).

    With few labelled turns, "the nearest confirmed ones are closer than the nearest rejected
    ones" generalises better than a weight per embedding dimension; for a criterion that is a
    reply to something (an objection), the context's neighbours carry the signal.
    """
    positive, negative = labels == 1, labels == 0
    columns = [
        _top_mean(turn_sim[:, positive]) - _top_mean(turn_sim[:, negative]),
        _top_mean(context_sim[:, positive]) - _top_mean(context_sim[:, negative]),
    ]
    if reply_sim is not None:
        columns.append(_top_mean(reply_sim[:, positive]) - _top_mean(reply_sim[:, negative]))
    return NEIGHBOUR_WEIGHT * np.stack(columns, axis=1)


@dataclass(frozen=True)
class Reference:
    """Every distinct labelled turn of a rubric's teaching, shared by its criteria.

    The same turn is often labelled for several criteria (a rated call's other turns are
    background for each criterion rated on it), so a call's turns are compared with each
    distinct labelled turn once, in two matrix products, whatever the number of criteria.
    """

    vectors: np.ndarray
    contexts: np.ndarray
    words: Words = NO_WORDS
    replies: np.ndarray | None = None  # the other party's next turns, when teaching reads them

    def similarities(
        self, vectors: np.ndarray, contexts: np.ndarray, replies: np.ndarray | None = None
    ) -> tuple[np.ndarray, ...]:
        """Turn, context (and, when the teaching reads replies, reply) similarities."""
        reads_replies = self.replies is not None
        if len(self.vectors) == 0:
            empty = np.zeros((len(vectors), 0), dtype=np.float32)
            return (empty, empty, empty) if reads_replies else (empty, empty)
        turn_sim, context_sim = vectors @ self.vectors.T, contexts @ self.contexts.T
        if self.replies is None:
            return turn_sim, context_sim
        theirs = np.zeros_like(contexts) if replies is None else replies
        return turn_sim, context_sim, theirs @ self.replies.T

    def word_columns(self, batch: TurnBatch) -> sparse.csr_matrix | None:
        replies = batch.reply_texts if self.replies is not None else None
        return self.words.columns(batch.texts, batch.context_texts, replies)


@dataclass(frozen=True)
class CriterionTeaching:
    """A fitted correction for one criterion (a model, or the labelled vectors to nudge by)."""

    model: OffsetLogistic | None
    rows: np.ndarray  # this criterion's labelled turns, as rows of the shared Reference
    labels: np.ndarray  # 1 positive (confirmed, rated moment), 0 negative (rejected, background)
    verdicts: np.ndarray  # per row: True when it is a verdict to remember (not background)
    count: int  # labelled turns behind it, background not counted
    no_context: np.ndarray  # per row: the labelled turn opened the call (nothing before it)
    ladder: np.ndarray  # rated moments' vectors: more rungs for the level ladder
    ladder_levels: np.ndarray

    def logits(
        self,
        similarities: tuple[np.ndarray, ...],
        vectors: np.ndarray,
        contexts: np.ndarray,
        features: np.ndarray,
        zero_shot: np.ndarray,
        positions: np.ndarray | None = None,
        adjust: Callable[[np.ndarray], np.ndarray] | None = None,
        words: sparse.csr_matrix | None = None,
        replies: np.ndarray | None = None,
    ) -> np.ndarray:
        """Corrected log-odds; `similarities` are the turns' (and contexts') to the Reference,
        `words` their columns of the Reference's `Words`.

        `adjust` changes them before judged turns get their verdicts back.
        """
        turn_sim = similarities[0][:, self.rows]
        context_sim = similarities[1][:, self.rows]
        reply_sim = similarities[2][:, self.rows] if len(similarities) > 2 else None
        if self.model is not None:
            neighbours = _neighbour_columns(turn_sim, context_sim, self.labels, reply_sim)
            if reply_sim is None:
                replies = None  # the model was fitted without them
            elif replies is None:
                replies = np.zeros_like(contexts)
            design = _design(vectors, contexts, features, zero_shot, neighbours, positions, replies)
            result = self.model.logits(design, zero_shot, words)
        else:
            nudge = np.zeros(len(vectors), dtype=np.float32)
            confirmed = (self.labels == 1) & self.verdicts
            rejected = (self.labels == 0) & self.verdicts
            if confirmed.any():
                nudge += np.clip(turn_sim[:, confirmed].max(axis=1) - 0.5, -0.5, 0.5)
            if rejected.any():
                nudge -= np.clip(turn_sim[:, rejected].max(axis=1) - 0.5, -0.5, 0.5)
            result = np.asarray(zero_shot + NUDGE * nudge, dtype=np.float32)
        if adjust is not None:
            result = adjust(result)
        return self._remembered(turn_sim, context_sim, contexts, result)

    def _remembered(
        self,
        turn_sim: np.ndarray,
        context_sim: np.ndarray,
        contexts: np.ndarray,
        logits: np.ndarray,
    ) -> np.ndarray:
        """A turn people judged (same words, same context) keeps their verdict when re-scored."""
        if not self.verdicts.any():
            return logits
        same_words = turn_sim[:, self.verdicts] >= SAME_TURN
        if not same_words.any():
            return logits
        own_context = context_sim[:, self.verdicts]
        # Two turns with no context (both opened the call) have the same context too.
        no_context = (np.abs(contexts).sum(axis=1) == 0)[:, None] & self.no_context[self.verdicts]
        same = same_words & ((own_context >= SAME_CONTEXT) | no_context)
        labels = self.labels[self.verdicts]
        result = logits.copy()
        for row, col in zip(*np.nonzero(same), strict=True):
            if labels[col] == 1:
                result[row] = max(result[row], REMEMBERED)
            else:
                result[row] = min(result[row], -REMEMBERED)
        return result


def _position_columns(positions: np.ndarray | None, rows: int) -> np.ndarray:
    """Early/late (linear) and middle-versus-ends (quadratic) terms of the position in the call."""
    centred = (
        np.zeros(rows, dtype=np.float32)
        if positions is None
        else np.asarray(positions, dtype=np.float32) - UNKNOWN_POSITION
    )
    return POSITION_WEIGHT * np.stack([2 * centred, 4 * centred**2 - 1 / 3], axis=1)


def _design(
    vectors: np.ndarray,
    contexts: np.ndarray,
    features: np.ndarray,
    zero_shot: np.ndarray,
    neighbours: np.ndarray,
    positions: np.ndarray | None = None,
    replies: np.ndarray | None = None,
) -> np.ndarray:
    parts = [
        vectors,
        CONTEXT_WEIGHT * contexts,
        FEATURE_WEIGHT * standardize(features),
        zero_shot[:, None],
        neighbours,
        _position_columns(positions, len(vectors)),
    ]
    if replies is not None:
        parts.append(REPLY_WEIGHT * replies)
    return np.hstack(parts)


def guidance_digest(guidance: RubricGuidance | None) -> str:
    if guidance is None or not guidance.examples:
        return "none"
    digest = hashlib.sha256()
    for ex in sorted(
        guidance.examples,
        key=lambda e: (e.criterion_id, e.text, e.context, e.positive, e.source, e.level or 0),
    ):
        digest.update(
            f"{ex.criterion_id}\x1f{ex.text}\x1f{ex.context}\x1f{ex.positive}\x1f{ex.source}"
            f"\x1f{ex.level}\x1f{ex.position}\x1f{ex.reply}\x1e".encode()
        )
    return digest.hexdigest()


def _batch(
    examples: list[LabelledTurn], model: EmbeddingModel, reads_replies: bool = False
) -> TurnBatch:
    vectors = model.encode_cached([e.text for e in examples])
    contexts = np.zeros_like(vectors)
    with_context = [i for i, e in enumerate(examples) if e.context.strip()]
    if with_context:
        contexts[with_context] = model.encode_cached([examples[i].context for i in with_context])
    replies = None
    if reads_replies:
        replies = np.zeros_like(vectors)
        with_reply = [i for i, e in enumerate(examples) if e.reply.strip()]
        if with_reply:
            replies[with_reply] = model.encode_cached([examples[i].reply for i in with_reply])
    positions = np.array(
        [UNKNOWN_POSITION if e.position is None else e.position for e in examples],
        dtype=np.float32,
    )
    return texts_batch(
        [e.text for e in examples],
        vectors,
        contexts,
        positions,
        [e.context for e in examples],
        replies,
        [e.reply for e in examples],
    )


def _latest(examples: list[LabelledTurn], reads_replies: bool = False) -> list[LabelledTurn]:
    """One example per (text, context[, reply]): a verdict beats background, the latest verdict
    wins.

    Rated moments of the same words average their levels.
    """
    latest: dict[tuple[str, str, str], LabelledTurn] = {}
    levels: dict[tuple[str, str, str], list[float]] = {}
    for ex in examples:
        if not ex.text.strip():
            continue
        key = (ex.text, ex.context, ex.reply if reads_replies else "")
        known = latest.get(key)
        if known is not None and ex.source == "background" and known.source != "background":
            continue
        latest[key] = ex
        if ex.level is not None:
            levels.setdefault(key, []).append(ex.level)
    result = []
    for key, ex in latest.items():
        if key in levels and ex.level is not None:
            ex = replace(ex, level=float(np.mean(levels[key])))
        result.append(ex)
    return result


@dataclass(frozen=True)
class FittedTeaching:
    """What people taught for one rubric, fitted: the shared Reference and a model per criterion."""

    reference: Reference
    criteria: dict[str, CriterionTeaching]


NO_TEACHING = FittedTeaching(
    Reference(np.zeros((0, 0), np.float32), np.zeros((0, 0), np.float32)), {}
)


def fit_teaching(
    guidance: RubricGuidance,
    prototypes: RubricPrototypes,
    model: EmbeddingModel,
    disabled: frozenset[str] = frozenset(),
    zero_shot: ZeroShotWeights = DEFAULT_ZERO_SHOT,
    reads_replies: bool = False,
) -> FittedTeaching:
    """`reads_replies`: the models also read the other party's next turn (bench option)."""
    by_criterion: dict[str, list[LabelledTurn]] = {}
    for ex in guidance.examples:
        if ex.criterion_id in prototypes.criteria:
            by_criterion.setdefault(ex.criterion_id, []).append(ex)
    chosen = {cid: _latest(examples, reads_replies) for cid, examples in by_criterion.items()}
    chosen = {cid: examples for cid, examples in chosen.items() if examples}
    if not chosen:
        return NO_TEACHING
    # One row per distinct (text, context, position, reply) across criteria.
    keys: dict[tuple[str, str, float | None, str], int] = {}
    distinct: list[LabelledTurn] = []
    for examples in chosen.values():
        for ex in examples:
            key = (ex.text, ex.context, ex.position, ex.reply if reads_replies else "")
            if key not in keys:
                keys[key] = len(distinct)
                distinct.append(ex)
    shared = _batch(distinct, model, reads_replies)
    texts = [e.text for e in distinct] + [e.context for e in distinct]
    if reads_replies:
        texts += [e.reply for e in distinct]
    words = Words.fit(texts)
    reference = Reference(shared.vectors, shared.contexts, words, shared.replies)
    shared_words = reference.word_columns(shared)
    all_features = turn_features(shared, prototypes)
    no_context = np.abs(shared.contexts).sum(axis=1) == 0
    result: dict[str, CriterionTeaching] = {}
    for cid, examples in chosen.items():
        rows = np.array(
            [
                keys[(e.text, e.context, e.position, e.reply if reads_replies else "")]
                for e in examples
            ],
            dtype=int,
        )
        vectors, contexts = shared.vectors[rows], shared.contexts[rows]
        replies = None if shared.replies is None else shared.replies[rows]
        positions = None if shared.positions is None else shared.positions[rows]
        features = without(all_features[cid][rows], disabled, zero_shot)
        zero = zero_shot_logit(features, zero_shot)
        labels = np.array([e.positive for e in examples], dtype=int)
        background = np.array([e.source == "background" for e in examples], dtype=bool)
        fitted: OffsetLogistic | None = None
        if int(labels.sum()) >= MIN_EACH and int((labels == 0).sum()) >= MIN_EACH:
            turn_sim, context_sim = vectors @ vectors.T, contexts @ contexts.T
            np.fill_diagonal(turn_sim, -1.0)  # training rows must not find themselves
            np.fill_diagonal(context_sim, -1.0)
            reply_sim = None
            if replies is not None:
                reply_sim = replies @ replies.T
                np.fill_diagonal(reply_sim, -1.0)
            neighbours = _neighbour_columns(turn_sim, context_sim, labels, reply_sim)
            design = _design(vectors, contexts, features, zero, neighbours, positions, replies)
            weights = np.where(background, BACKGROUND_WEIGHT, 1.0)
            words_rows = None if shared_words is None else shared_words[rows]
            fitted = OffsetLogistic.fit(design, zero, labels, weights, words_rows)
        rated = np.array([e.level is not None for e in examples], dtype=bool)
        result[cid] = CriterionTeaching(
            model=fitted,
            rows=rows,
            labels=labels,
            verdicts=~background,
            count=int((~background).sum()),
            no_context=no_context[rows],
            ladder=vectors[rated],
            ladder_levels=np.array(
                [e.level for e in examples if e.level is not None], dtype=np.float32
            ),
        )
    return FittedTeaching(reference, result)


class TeachingCache:
    """Fitted teaching per (rubric content, teaching state), per process."""

    def __init__(
        self,
        limit: int = 16,
        disabled: frozenset[str] = frozenset(),
        zero_shot: ZeroShotWeights = DEFAULT_ZERO_SHOT,
        reads_replies: bool = False,
    ) -> None:
        self._disabled, self._zero_shot = disabled, zero_shot
        self._reads_replies = reads_replies
        self._items: dict[tuple[str, str], FittedTeaching] = {}
        self._limit = limit
        self._lock = Lock()
        # The runner sends the same guidance object with every call: hash it once.
        self._digests: dict[int, tuple[RubricGuidance, int, str]] = {}

    def _digest(self, guidance: RubricGuidance) -> str:
        known = self._digests.get(id(guidance))
        if known is not None and known[0] is guidance and known[1] == len(guidance.examples):
            return known[2]
        digest = guidance_digest(guidance)
        if len(self._digests) > 64:
            self._digests.clear()
        self._digests[id(guidance)] = (guidance, len(guidance.examples), digest)
        return digest

    def items(self) -> dict[tuple[str, str], FittedTeaching]:
        with self._lock:
            return dict(self._items)

    def adopt(self, items: dict[tuple[str, str], FittedTeaching]) -> None:
        with self._lock:
            self._items.update(items)

    def get(
        self, guidance: RubricGuidance | None, prototypes: RubricPrototypes, model: EmbeddingModel
    ) -> FittedTeaching:
        if guidance is None or not guidance.examples:
            return NO_TEACHING
        key = (prototypes.rubric_hash, self._digest(guidance))
        with self._lock:
            found = self._items.get(key)
        if found is not None:
            return found
        fitted = fit_teaching(
            guidance, prototypes, model, self._disabled, self._zero_shot, self._reads_replies
        )
        with self._lock:
            if len(self._items) >= self._limit:
                self._items.pop(next(iter(self._items)))
            self._items[key] = fitted
        return fitted
