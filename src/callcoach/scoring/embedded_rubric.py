"""What the embedded scorer reads from a rubric: every criterion's texts, encoded once per version.

For each criterion the positive prototypes are the anchors of levels 4 and 5 and the positive
example lines; the negative prototypes are the anchors of levels 1 and 2 and the negative
example lines; the description is kept on its own. The *ladder* is every text with the level it
stands for: each anchor at its own level, positive examples at 4.5 (the rubric's picture of good
practice) and negative examples at 1.5; a rep's moment is placed on it by what it resembles. The dialogue-act profile says what the
criterion's positive examples look like (questions? addressed to "you"? numbers?) compared with
its negative ones. Each criterion's texts are also kept less what every text of the rubric shares
(their mean): sales talk resembles sales talk, and MiniLM's similarities are dominated by that
shared topic; what is left tells the criteria apart (bench/meta_weights.py: turn AUC on the
other corpus 0.80 -> 0.82). Nothing here knows any particular rubric: it works from whatever
text the user wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from threading import Lock

import numpy as np

from callcoach.domain.rubric import Criterion, Rubric
from callcoach.scoring.embedded_features import act_cues
from callcoach.scoring.embedding_model import EmbeddingModel

HIGH_LEVELS = (4, 5)
LOW_LEVELS = (1, 2)
POSITIVE_EXAMPLE_LEVEL = 4.5
NEGATIVE_EXAMPLE_LEVEL = 1.5


@dataclass(frozen=True)
class CriterionPrototypes:
    criterion_id: str
    positive: np.ndarray  # rows: high anchors then positive examples
    negative: np.ndarray  # rows: low anchors then negative examples
    description: np.ndarray  # one row
    act_profile: np.ndarray  # positive minus negative examples' mean dialogue-act cues
    ladder: np.ndarray  # rows: anchors 1-5, positive examples, negative examples
    ladder_levels: np.ndarray  # the level each ladder row stands for
    # The same positive, negative and description rows less what every text of the rubric
    # shares (their mean), renormalised: what sets this criterion's texts apart.
    distinct_positive: np.ndarray
    distinct_negative: np.ndarray
    distinct_description: np.ndarray


@dataclass(frozen=True)
class RubricPrototypes:
    rubric_hash: str
    criteria: dict[str, CriterionPrototypes]


def _texts(criterion: Criterion) -> tuple[list[str], list[str]]:
    positive = [criterion.anchors[level] for level in HIGH_LEVELS]
    positive += [e for e in criterion.examples.positive if e.strip()]
    negative = [criterion.anchors[level] for level in LOW_LEVELS]
    negative += [e for e in criterion.examples.negative if e.strip()]
    return positive, negative


def _act_profile(criterion: Criterion) -> np.ndarray:
    positive = [act_cues(t) for t in criterion.examples.positive if t.strip()]
    negative = [act_cues(t) for t in criterion.examples.negative if t.strip()]
    if not positive:
        return np.zeros(len(act_cues("")), dtype=np.float32)
    profile = np.mean(positive, axis=0)
    if negative:
        profile = profile - np.mean(negative, axis=0)
    return np.asarray(profile, dtype=np.float32)


def _ladder(criterion: Criterion) -> tuple[list[str], list[float]]:
    texts = [criterion.anchors[level] for level in range(1, 6)]
    levels = [float(level) for level in range(1, 6)]
    for example in criterion.examples.positive:
        if example.strip():
            texts.append(example)
            levels.append(POSITIVE_EXAMPLE_LEVEL)
    for example in criterion.examples.negative:
        if example.strip():
            texts.append(example)
            levels.append(NEGATIVE_EXAMPLE_LEVEL)
    return texts, levels


def build_prototypes(rubric: Rubric, model: EmbeddingModel) -> RubricPrototypes:
    """Encode every text of the rubric in one batch (the model's text cache skips repeats)."""
    plan: list[tuple[Criterion, list[str], list[str], list[str], list[float]]] = []
    all_texts: list[str] = []
    for criterion in rubric.criteria:
        positive, negative = _texts(criterion)
        ladder, levels = _ladder(criterion)
        plan.append((criterion, positive, negative, ladder, levels))
        all_texts += [*positive, *negative, criterion.description, *ladder]
    vectors = model.encode_cached(all_texts)
    criteria: dict[str, CriterionPrototypes] = {}
    row = 0

    def take(count: int) -> np.ndarray:
        nonlocal row
        block = vectors[row : row + count]
        row += count
        return block

    blocks = [
        (criterion, take(len(positive)), take(len(negative)), take(1), take(len(ladder)), levels)
        for criterion, positive, negative, ladder, levels in plan
    ]
    shared = np.vstack([np.vstack([pos, neg, desc]) for _, pos, neg, desc, _, _ in blocks])
    common = shared.mean(axis=0)
    for criterion, pos, neg, desc, ladder_rows, levels in blocks:
        criteria[criterion.id] = CriterionPrototypes(
            criterion_id=criterion.id,
            positive=pos,
            negative=neg,
            description=desc,
            act_profile=_act_profile(criterion),
            ladder=ladder_rows,
            ladder_levels=np.array(levels, dtype=np.float32),
            distinct_positive=_distinct(pos, common),
            distinct_negative=_distinct(neg, common),
            distinct_description=_distinct(desc, common),
        )
    return RubricPrototypes(rubric_hash=rubric.content_hash, criteria=criteria)


def _distinct(rows: np.ndarray, common: np.ndarray) -> np.ndarray:
    """Rows less the rubric's common direction, back on the unit sphere (zero rows stay 0)."""
    centred = rows - common
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return np.asarray(centred / np.maximum(norms, 1e-6), dtype=np.float32)


class PrototypeCache:
    """Prototypes per rubric content, per process: a rubric version is encoded once."""

    def __init__(self, limit: int = 32) -> None:
        self._items: dict[str, RubricPrototypes] = {}
        self._limit = limit
        self._lock = Lock()

    def items(self) -> dict[str, RubricPrototypes]:
        with self._lock:
            return dict(self._items)

    def adopt(self, items: dict[str, RubricPrototypes]) -> None:
        with self._lock:
            self._items.update(items)

    def get(self, rubric: Rubric, model: EmbeddingModel) -> RubricPrototypes:
        key = rubric.content_hash
        with self._lock:
            found = self._items.get(key)
        if found is not None:
            return found
        built = build_prototypes(rubric, model)
        with self._lock:
            if len(self._items) >= self._limit:
                self._items.pop(next(iter(self._items)))
            self._items[key] = built
        return built
