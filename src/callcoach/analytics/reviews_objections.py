"""Objection types from the prospects' own words, with no list written for any rubric.

Input: the prospect turns just before the low-scored moments of the lost deals' calls, and
their sentence embeddings (the bundled MiniLM; the service encodes them). They are grouped by
agglomerative clustering on cosine distance (average linkage, scikit-learn); the number of
groups is the one of 2..6 with the best silhouette score, or one group per turn with fewer than
four turns. Each group is named by its most central real quote: the member with the highest
mean cosine similarity to the others. Groups are ordered largest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MAX_TYPES = 6
MIN_WORDS = 4  # shorter turns ("okay", "sure, go on") carry no objection


@dataclass(frozen=True)
class ObjectionCluster:
    central: int  # index (into the turns given) of the most central quote
    members: list[int]


def worth_clustering(text: str) -> bool:
    return len(text.split()) >= MIN_WORDS


def cluster_objections(vectors: np.ndarray) -> list[ObjectionCluster]:
    """Clusters of the given turn vectors (rows), largest first."""
    count = len(vectors)
    if count == 0:
        return []
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    similarity = unit @ unit.T
    if count < 4:
        labels = np.arange(count)
    else:
        from sklearn.cluster import AgglomerativeClustering
        from sklearn.metrics import silhouette_score

        distance = np.clip(1.0 - similarity, 0.0, 2.0)
        np.fill_diagonal(distance, 0.0)
        best: tuple[float, np.ndarray] | None = None
        for k in range(2, min(MAX_TYPES, count - 1) + 1):
            model = AgglomerativeClustering(n_clusters=k, metric="precomputed", linkage="average")
            candidate = model.fit_predict(distance)
            if len(set(candidate.tolist())) < 2:
                continue
            score = float(silhouette_score(distance, candidate, metric="precomputed"))
            if best is None or score > best[0]:
                best = (score, candidate)
        labels = best[1] if best is not None else np.zeros(count, dtype=int)
    clusters = []
    for label in sorted(set(labels.tolist())):
        members = [int(i) for i in np.flatnonzero(labels == label)]
        inner = similarity[np.ix_(members, members)]
        central = members[int(np.argmax(inner.mean(axis=1)))]
        clusters.append(ObjectionCluster(central, members))
    clusters.sort(key=lambda c: (-len(c.members), c.central))
    return clusters


def dedupe(texts: Sequence[str]) -> list[int]:
    """Indexes of the first occurrence of each distinct turn text."""
    seen: dict[str, int] = {}
    for index, text in enumerate(texts):
        seen.setdefault(" ".join(text.split()).casefold(), index)
    return sorted(seen.values())


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)
    return np.asarray(vectors / norms, dtype=float)


def type_members(
    texts: Sequence[str], vectors: np.ndarray, name: str, name_vector: np.ndarray
) -> tuple[list[int], np.ndarray]:
    """Which of these turns are of the objection type called `name`, and each turn's cosine
    similarity to the name.

    The turns are grouped exactly as `cluster_objections` groups them for a review. The name
    (a type's central quote, as reviews list it) belongs to the group of the turn it repeats
    word for word; a name written otherwise belongs to the group it is closest to on average,
    provided it fits that group at least as well as the group's least typical member fits the
    rest of it (mean cosine similarity, the average linkage the grouping itself uses). A group of
    one turn admits only that turn's own words. No group it fits: no turn is of that type.
    """
    count = len(texts)
    if count == 0:
        return [], np.zeros(0)
    unit = _unit(np.asarray(vectors, dtype=float))
    to_name = unit @ _unit(np.asarray(name_vector, dtype=float))
    clusters = cluster_objections(unit)
    wanted = " ".join(name.split()).casefold()
    for cluster in clusters:
        if any(" ".join(texts[m].split()).casefold() == wanted for m in cluster.members):
            return sorted(cluster.members), to_name
    best: tuple[float, list[int]] | None = None
    for cluster in clusters:
        members = cluster.members
        if len(members) < 2:
            continue
        inner = unit[members] @ unit[members].T
        typical = (inner.sum(axis=1) - np.diag(inner)) / (len(members) - 1)
        fit = float(to_name[members].mean())
        if fit >= float(typical.min()) and (best is None or fit > best[0]):
            best = (fit, sorted(members))
    return (best[1] if best else []), to_name
