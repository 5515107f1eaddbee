"""The text encoder the roleplay engine is given, and a deterministic one beside it for tests.

In production the encoder is the bundled MiniLM's cached `encode`
(`callcoach.scoring.embedding_model.shared_model().encode_cached`): the engine never loads a
model itself, it is handed one (like a Scorer is handed to the batch runner).

`HashedWordEncoder` is a real encoder of its own kind, not a stub: each text becomes a signed
bag of hashed words (and word pairs), normalised to unit length, so texts that share words are
close and texts that share none are orthogonal. Deterministic across processes (sha256, not
Python's salted `hash`), which is what unit tests need.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Sequence

import numpy as np

Encoder = Callable[[list[str]], np.ndarray]
"""`encode(texts)` -> one unit-length float32 row per text."""

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


class HashedWordEncoder:
    def __init__(self, dimension: int = 512) -> None:
        self.dimension = dimension

    def _slot(self, feature: str) -> tuple[int, float]:
        digest = hashlib.sha256(feature.encode()).digest()
        return int.from_bytes(digest[:4], "big") % self.dimension, (1.0 if digest[4] % 2 else -1.0)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            words = _WORD.findall(text.lower())
            features = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
            for feature in features or ["<empty>"]:
                slot, sign = self._slot(feature)
                matrix[row, slot] += sign
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return np.asarray(matrix / np.maximum(norms, 1e-12), dtype=np.float32)
