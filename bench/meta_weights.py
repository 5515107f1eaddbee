"""Fit the embedded scorer's zero-shot weights: one logistic regression over generic features.

    .venv/bin/python bench/meta_weights.py

The weights are method parameters shared by every criterion of every rubric (features are listed
in scoring/embedded_features.py). They are fitted on the pooled rep turns of both bench corpora,
each turn x criterion one example, labelled by the human strategy labels the bench maps to each
criterion. To show they are not tied to one corpus's rubric, the script also fits on each corpus
alone and reports the turn-level AUC on the other. It prints the constants to paste into
embedded_features.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

from callcoach.scoring.embedded_features import (
    FEATURE_NAMES,
    call_turn_batch,
    turn_features,
)
from callcoach.scoring.embedded_rubric import build_prototypes
from callcoach.scoring.embedding_model import shared_model
from corpora import CORPORA, Corpus, corpus_embeddings, load_conversations, load_rubric

# Strong L2: the distinct_* features repeat the raw ones less a shared direction, and a weak
# penalty let collinear pairs take large opposite weights (|w| up to 4.7) that a rubric unlike
# ours could tip over; at C=0.01 no weight passes 0.7 and the turn AUC on the other corpus is
# 0.816 (0.824 at C=1, 0.802 for the raw features alone).
REGULARISATION = 0.01


def labelled_features(corpus: Corpus) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    conversations = load_conversations(corpus)
    embeddings = corpus_embeddings(conversations)
    prototypes = build_prototypes(load_rubric(corpus), shared_model())
    rows: dict[str, list[np.ndarray]] = {cid: [] for cid in corpus.labels}
    labels: dict[str, list[np.ndarray]] = {cid: [] for cid in corpus.labels}
    for conv in conversations:
        reps = [s.index for s in conv.call.rep_segments]
        batch = call_turn_batch(conv.call, embeddings[conv.call.external_id], reps)
        features = turn_features(batch, prototypes)
        for cid in corpus.labels:
            rows[cid].append(features[cid])
            labels[cid].append(np.array([i in conv.truth[cid] for i in reps], dtype=int))
    return {cid: (np.vstack(rows[cid]), np.concatenate(labels[cid])) for cid in corpus.labels}


Scale = tuple[np.ndarray, np.ndarray]


def fit(
    data: list[tuple[np.ndarray, np.ndarray]], scale: Scale | None = None
) -> tuple[Scale, LogisticRegression]:
    """Logistic regression on standardized features (with `scale`'s centre and spread if given)."""
    x = np.vstack([d[0] for d in data])
    y = np.concatenate([d[1] for d in data])
    center, spread = scale if scale is not None else (x.mean(axis=0), x.std(axis=0) + 1e-6)
    model = LogisticRegression(C=REGULARISATION, max_iter=3000).fit((x - center) / spread, y)
    return (center, spread), model


def transfer(per_corpus: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]], label: str) -> None:
    aucs = []
    for train, test in (("persuasionforgood", "casino"), ("casino", "persuasionforgood")):
        (center, spread), model = fit(list(per_corpus[train].values()))
        for cid, (x, y) in per_corpus[test].items():
            auc = roc_auc_score(y, model.decision_function((x - center) / spread))
            aucs.append(auc)
            print(f"{label}: fit on {train:18} turn AUC on {test}/{cid}: {auc:.3f}")
    print(f"{label}: mean turn AUC on the corpus not fitted on: {np.mean(aucs):.3f}")


def main() -> None:
    fmt = ", ".join
    per_corpus = {name: labelled_features(corpus) for name, corpus in CORPORA.items()}
    transfer(per_corpus, "with examples")
    scale, model = fit([d for c in per_corpus.values() for d in c.values()])
    center, spread = scale
    print("features:", fmt(FEATURE_NAMES))
    print(f"ZERO_SHOT_CENTER = np.array([{fmt(f'{v:.5f}' for v in center)}], dtype=np.float32)")
    print(f"ZERO_SHOT_SCALE = np.array([{fmt(f'{v:.5f}' for v in spread)}], dtype=np.float32)")
    print(
        f"ZERO_SHOT_WEIGHTS = np.array([{fmt(f'{v:.5f}' for v in model.coef_[0])}], "
        "dtype=np.float32)"
    )
    print(f"ZERO_SHOT_BIAS = {model.intercept_[0]:.5f}")


if __name__ == "__main__":
    main()
