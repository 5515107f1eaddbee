"""What people taught the embedded scorer, turned into one small model per criterion.

Managers confirm or reject evidence (and ratings may name the segment that shows a level): each
becomes a labelled turn for a criterion (scoring/base.py `LabelledTurn`). With enough of them for
a criterion (at least `MIN_EACH` confirmed and `MIN_EACH` rejected), a logistic regression learns
from the turn's embedding, its context's embedding, the generic features and the zero-shot
log-odds, so it starts from what the rubric says and corrects it where people disagreed. With
fewer, the zero-shot log-odds are nudged towards turns close to confirmed ones and away from
turns close to rejected ones. Models are fitted once per process per rubric and teaching state.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from threading import Lock

import numpy as np
from scipy.optimize import minimize

from callcoach.scoring.base import LabelledTurn, RubricGuidance
from callcoach.scoring.embedded_features import (
    TurnBatch,
    act_cues,
    log_length,
    standardize,
    turn_features,
    without,
    zero_shot_logit,
)
from callcoach.scoring.embedded_rubric import RubricPrototypes
from callcoach.scoring.embedding_model import EmbeddingModel

MIN_EACH = 5  # confirmed and rejected turns a criterion needs before a model is fitted
CONTEXT_WEIGHT = 0.5  # the context embedding counts, but less than the turn itself
FEATURE_WEIGHT = 0.3  # generic features next to 384 embedding dimensions
NUDGE = 4.0  # log-odds per unit of similarity margin when too few labels to fit a model
REGULARISATION = 1.0
NEIGHBOURS = 3  # nearest labelled turns averaged on each side
NEIGHBOUR_WEIGHT = 5.0  # similarity margins are small numbers; scale them like the logits
SAME_TURN = 0.97  # cosine above which two turns say the same thing
SAME_CONTEXT = 0.9
REMEMBERED = 2.0  # log-odds a judged turn keeps at least (confirmed) or at most (rejected)


@dataclass(frozen=True)
class OffsetLogistic:
    """Logistic regression that corrects the zero-shot log-odds instead of replacing them.

    The zero-shot log-odds enter with a fixed weight of 1 (an offset) and every learned weight,
    the intercept included, is pulled towards 0 by the L2 penalty. So a handful of verdicts moves
    the turns near them, not the whole criterion, and the share of confirmed verdicts (people
    tend to judge the evidence they were shown, about half right) does not become the rate at
    which the behaviour is expected everywhere. Many verdicts outweigh the penalty.
    """

    weights: np.ndarray
    intercept: float

    def logits(self, design: np.ndarray, zero_shot: np.ndarray) -> np.ndarray:
        return np.asarray(zero_shot + design @ self.weights + self.intercept, dtype=np.float32)

    @classmethod
    def fit(cls, design: np.ndarray, zero_shot: np.ndarray, labels: np.ndarray) -> OffsetLogistic:
        x = design.astype(np.float64)
        offset = zero_shot.astype(np.float64)
        y = labels.astype(np.float64)

        def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = params[:-1], params[-1]
            z = offset + x @ w + b
            # log(1 + e^z) - y z, computed stably; its gradient is sigmoid(z) - y.
            value = np.logaddexp(0.0, z) - y * z
            residual = 1.0 / (1.0 + np.exp(-z)) - y
            total = REGULARISATION * value.sum() + 0.5 * (w @ w + b * b)
            grad = np.append(
                REGULARISATION * (x.T @ residual) + w, REGULARISATION * residual.sum() + b
            )
            return float(total), grad

        start = np.zeros(x.shape[1] + 1)
        result = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 500})
        return cls(weights=result.x[:-1].astype(np.float32), intercept=float(result.x[-1]))


def _top_mean(similarities: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
    """Mean of each row's k largest similarities (0 when the row is empty)."""
    if similarities.shape[1] == 0:
        return np.zeros(similarities.shape[0], dtype=np.float32)
    k = min(k, similarities.shape[1])
    return np.asarray(-np.sort(-similarities, axis=1)[:, :k].mean(axis=1), dtype=np.float32)


def _neighbour_features(
    vectors: np.ndarray,
    contexts: np.ndarray,
    taught: tuple[np.ndarray, np.ndarray, np.ndarray],
    exclude_self: bool = False,
) -> np.ndarray:
    """How close each turn (and its context) is to confirmed versus rejected turns (and theirs).

    With few labelled turns, "the nearest confirmed ones are closer than the nearest rejected
    ones" generalises better than a weight per embedding dimension; for a criterion that is a
    reply to something (an objection), the context's neighbours carry the signal.
    """
    t_vectors, t_contexts, labels = taught
    turn_sim = vectors @ t_vectors.T
    context_sim = contexts @ t_contexts.T
    if exclude_self:  # training rows must not find themselves
        np.fill_diagonal(turn_sim, -1.0)
        np.fill_diagonal(context_sim, -1.0)
    positive, negative = labels == 1, labels == 0
    columns = [
        _top_mean(turn_sim[:, positive]) - _top_mean(turn_sim[:, negative]),
        _top_mean(context_sim[:, positive]) - _top_mean(context_sim[:, negative]),
    ]
    return NEIGHBOUR_WEIGHT * np.stack(columns, axis=1)


@dataclass(frozen=True)
class CriterionTeaching:
    """A fitted correction for one criterion (a model, or the labelled vectors to nudge by)."""

    model: OffsetLogistic | None
    confirmed: np.ndarray  # turn vectors people confirmed
    rejected: np.ndarray
    count: int  # labelled turns behind it
    taught: tuple[np.ndarray, np.ndarray, np.ndarray]  # turn vectors, context vectors, labels

    def logits(
        self, vectors: np.ndarray, contexts: np.ndarray, features: np.ndarray, zero_shot: np.ndarray
    ) -> np.ndarray:
        if self.model is not None:
            neighbours = _neighbour_features(vectors, contexts, self.taught)
            design = _design(vectors, contexts, features, zero_shot, neighbours)
            result = self.model.logits(design, zero_shot)
        else:
            nudge = np.zeros(len(vectors), dtype=np.float32)
            if len(self.confirmed):
                nudge += np.clip((vectors @ self.confirmed.T).max(axis=1) - 0.5, -0.5, 0.5)
            if len(self.rejected):
                nudge -= np.clip((vectors @ self.rejected.T).max(axis=1) - 0.5, -0.5, 0.5)
            result = np.asarray(zero_shot + NUDGE * nudge, dtype=np.float32)
        return self._remembered(vectors, contexts, result)

    def _remembered(
        self, vectors: np.ndarray, contexts: np.ndarray, logits: np.ndarray
    ) -> np.ndarray:
        """A turn people judged (same words, same context) keeps their verdict when re-scored."""
        t_vectors, t_contexts, labels = self.taught
        same = (vectors @ t_vectors.T >= SAME_TURN) & (contexts @ t_contexts.T >= SAME_CONTEXT)
        same |= (vectors @ t_vectors.T >= SAME_TURN) & (
            (np.abs(contexts).sum(axis=1) == 0)[:, None]
            & (np.abs(t_contexts).sum(axis=1) == 0)[None, :]
        )
        result = logits.copy()
        for row, col in zip(*np.nonzero(same), strict=True):
            if labels[col] == 1:
                result[row] = max(result[row], REMEMBERED)
            else:
                result[row] = min(result[row], -REMEMBERED)
        return result


def _design(
    vectors: np.ndarray,
    contexts: np.ndarray,
    features: np.ndarray,
    zero_shot: np.ndarray,
    neighbours: np.ndarray,
) -> np.ndarray:
    return np.hstack(
        [
            vectors,
            CONTEXT_WEIGHT * contexts,
            FEATURE_WEIGHT * standardize(features),
            zero_shot[:, None],
            neighbours,
        ]
    )


def guidance_digest(guidance: RubricGuidance | None) -> str:
    if guidance is None or not guidance.examples:
        return "none"
    digest = hashlib.sha256()
    for ex in sorted(
        guidance.examples, key=lambda e: (e.criterion_id, e.text, e.context, e.positive)
    ):
        digest.update(
            f"{ex.criterion_id}\x1f{ex.text}\x1f{ex.context}\x1f{ex.positive}\x1e".encode()
        )
    return digest.hexdigest()


def _batch(examples: list[LabelledTurn], model: EmbeddingModel) -> TurnBatch:
    vectors = model.encode_cached([e.text for e in examples])
    contexts = np.zeros_like(vectors)
    with_context = [i for i, e in enumerate(examples) if e.context.strip()]
    if with_context:
        contexts[with_context] = model.encode_cached([examples[i].context for i in with_context])
    return TurnBatch(
        vectors=vectors,
        contexts=contexts,
        cues=np.stack([act_cues(e.text) for e in examples]),
        lengths=np.array([log_length(e.text) for e in examples], dtype=np.float32),
    )


def fit_teaching(
    guidance: RubricGuidance,
    prototypes: RubricPrototypes,
    model: EmbeddingModel,
    disabled: frozenset[str] = frozenset(),
) -> dict[str, CriterionTeaching]:
    result: dict[str, CriterionTeaching] = {}
    for cid in prototypes.criteria:
        # The latest verdict on a turn wins when people changed their mind (same text, context).
        latest: dict[tuple[str, str], LabelledTurn] = {}
        for ex in guidance.for_criterion(cid):
            if ex.text.strip():
                latest[(ex.text, ex.context)] = ex
        examples = list(latest.values())
        if not examples:
            continue
        batch = _batch(examples, model)
        features = without(turn_features(batch, prototypes)[cid], disabled)
        zero = zero_shot_logit(features)
        labels = np.array([e.positive for e in examples], dtype=int)
        positives, negatives = int(labels.sum()), int(len(labels) - labels.sum())
        fitted: OffsetLogistic | None = None
        if positives >= MIN_EACH and negatives >= MIN_EACH:
            taught = (batch.vectors, batch.contexts, labels)
            neighbours = _neighbour_features(batch.vectors, batch.contexts, taught, True)
            design = _design(batch.vectors, batch.contexts, features, zero, neighbours)
            fitted = OffsetLogistic.fit(design, zero, labels)
        result[cid] = CriterionTeaching(
            model=fitted,
            confirmed=batch.vectors[labels == 1],
            rejected=batch.vectors[labels == 0],
            count=len(examples),
            taught=(batch.vectors, batch.contexts, labels),
        )
    return result


class TeachingCache:
    """Fitted teaching per (rubric content, teaching state), per process."""

    def __init__(self, limit: int = 16, disabled: frozenset[str] = frozenset()) -> None:
        self._disabled = disabled
        self._items: dict[tuple[str, str], dict[str, CriterionTeaching]] = {}
        self._limit = limit
        self._lock = Lock()

    def get(
        self, guidance: RubricGuidance | None, prototypes: RubricPrototypes, model: EmbeddingModel
    ) -> dict[str, CriterionTeaching]:
        key = (prototypes.rubric_hash, guidance_digest(guidance))
        if guidance is None or key[1] == "none":
            return {}
        with self._lock:
            found = self._items.get(key)
        if found is not None:
            return found
        fitted = fit_teaching(guidance, prototypes, model, self._disabled)
        with self._lock:
            if len(self._items) >= self._limit:
                self._items.pop(next(iter(self._items)))
            self._items[key] = fitted
        return fitted
