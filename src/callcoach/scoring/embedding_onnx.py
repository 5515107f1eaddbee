"""The sentence-embedding model on OpenVINO or ONNX Runtime, from an export of the bundled weights.

No model is downloaded. At first use the PyTorch weights of the model directory (by default the
bundled all-MiniLM-L6-v2) are exported to ONNX with `torch.onnx`, the export is checked against
PyTorch on probe sentences, and it is written to the model cache (`CALLCOACH_MODEL_CACHE`, by
default the user's cache folder): under a file lock, so two processes never export at once, and by
atomic renames, so no reader ever sees half a file. A manifest beside the export records its
SHA-256; an export that does not match it (damaged, truncated, edited) is rebuilt. Later
processes read the export directly and never import PyTorch. OpenVINO and ONNX Runtime both read
the same file and fuse the graph their own way when they load it.

Why not sentence-transformers' own `backend="onnx"` or `"openvino"`: they run on optimum-onnx
and optimum-intel, whose releases require transformers < 4.58, or another torch, while
sentence-transformers 6.2 requires transformers 5; they cannot be installed together. So the
export is called here directly, and the steps sentence-transformers does around the model
(tokenise with the model's own tokenizer, sort by length so batches carry little padding, batch)
are done here too. The exported graph holds the model's whole module stack (transformer,
pooling, normalisation), so its output is the sentence vector itself.

Why the TorchScript exporter (`dynamo=False`, deprecated in favour of the torch.export one): with
the pinned torch 2.13 the torch.export-based exporter took 74 s instead of 4 here and gave a
graph whose attention ONNX Runtime's optimizer does not fuse. OpenVINO's own converter is not
used either: it sends usage telemetry unless told not to, and the runtime reads ONNX itself.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

# Bump when the export below changes: a new recipe is a new cache entry, never a stale file.
EXPORT_RECIPE = "torchscript-opset17-eager-1"
ONNX_FILE = "model.onnx"
MANIFEST_FILE = "manifest.json"
LOCK_FILE = "export.lock"
EXPORT_LOCK_TIMEOUT = 900.0  # seconds to wait for another process's export (about 10 s idle)
# The export must reproduce PyTorch's float32 vectors: run in float32 by ONNX Runtime it differs
# by rounding only (min cosine 1.00000 to five places over 1,000 demo sentences, measured while
# choosing the exporter; bfloat16 against float32 is 0.9999).
PROBE_MIN_COSINE = 0.9999
PROBE_SENTENCES = (
    "Okay.",
    "Mm-hm, yeah.",
    "What does your team use today to track the renewals pipeline?",
    "The pricing is forty dollars per seat per month with annual billing, and the pilot is free.",
    "I hear you that the integration is a concern; can you tell me more about what went wrong "
    "last time, who was involved, and what it cost you in hours across the quarter?",
    # Longer than the 256-token window: the export must truncate exactly as PyTorch does.
    " ".join(["We reconcile the invoices by hand every Friday afternoon."] * 40),
)


class ExportError(RuntimeError):
    """The ONNX export could not be made or written (the message says why and what to do)."""


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/callcoach, else ~/.cache/callcoach (where Hugging Face and PyTorch keep
    theirs too)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "callcoach"


def model_cache_dir(setting: str | os.PathLike[str] | None = None) -> Path:
    """Where exports are kept: the setting, else CALLCOACH_MODEL_CACHE, else the user cache."""
    chosen = setting or os.environ.get("CALLCOACH_MODEL_CACHE")
    return Path(chosen).expanduser() if chosen else default_cache_dir()


def _versions() -> dict[str, str]:
    import onnxruntime

    return {"onnxruntime": onnxruntime.__version__}


def source_fingerprint(model_dir: Path) -> str:
    """Identifies the weights and configuration an export was made from, cheaply: the content of
    every small file, and the size and modification time of large ones (the weights)."""
    digest = hashlib.sha256(EXPORT_RECIPE.encode())
    for name, version in sorted(_versions().items()):
        digest.update(f"{name}={version}\n".encode())
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(model_dir).as_posix()}:{stat.st_size}\n".encode())
        if stat.st_size <= 1 << 20:
            digest.update(path.read_bytes())
        else:
            digest.update(f"{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def export_dir(model_dir: Path, cache_dir: Path) -> Path:
    return cache_dir / "onnx" / f"{model_dir.name}-{source_fingerprint(model_dir)}"


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def verified_export(folder: Path) -> Path | None:
    """The export in `folder` if its manifest vouches for it byte for byte, else None."""
    model, manifest = folder / ONNX_FILE, folder / MANIFEST_FILE
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        if recorded.get("recipe") != EXPORT_RECIPE:
            return None
        if model.stat().st_size != recorded["bytes"] or _sha256(model) != recorded["sha256"]:
            log.warning("the ONNX export in %s is damaged: it will be rebuilt", folder)
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return model


def _write_atomically(target: Path, write: Any) -> None:
    """`write(path)` fills a temporary file beside `target`, which then replaces it at once."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def _export_lock(folder: Path) -> Iterator[None]:
    from filelock import FileLock, Timeout

    lock = FileLock(str(folder / LOCK_FILE), timeout=EXPORT_LOCK_TIMEOUT)
    try:
        with lock:
            yield
    except Timeout:
        raise ExportError(
            f"another process has held {folder / LOCK_FILE} for {EXPORT_LOCK_TIMEOUT:.0f} s "
            "while exporting the embedding model; if no callcoach process is running, delete "
            "that folder and try again"
        ) from None


def ensure_export(model_dir: Path, cache_dir: Path) -> Path:
    """The verified ONNX export of `model_dir`, exported now (once, under a lock) if missing."""
    folder = export_dir(model_dir, cache_dir)
    found = verified_export(folder)
    if found is not None:
        return found
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(
            f"cannot create the model cache folder {folder}: {exc.strerror or exc}; set "
            "CALLCOACH_MODEL_CACHE to a writable folder, or CALLCOACH_EMBEDDING_BACKEND=torch"
        ) from exc
    with _export_lock(folder):
        found = verified_export(folder)  # another process may have exported while we waited
        if found is not None:
            return found
        log.info("exporting %s to ONNX in %s (once; about 10 s)", model_dir, folder)
        try:
            _export(model_dir, folder)
        except OSError as exc:
            raise ExportError(
                f"cannot write the ONNX export to {folder}: {exc.strerror or exc}; set "
                "CALLCOACH_MODEL_CACHE to a writable folder, or CALLCOACH_EMBEDDING_BACKEND=torch"
            ) from exc
    found = verified_export(folder)
    if found is None:
        raise ExportError(f"the ONNX export written to {folder} does not verify")
    return found


def _export(model_dir: Path, folder: Path) -> None:
    """Export, fuse, check against PyTorch, then write the model and (last) its manifest."""
    import torch

    from callcoach.scoring.embedding_model import load_sentence_transformer

    started = time.perf_counter()
    (folder / MANIFEST_FILE).unlink(missing_ok=True)  # a stale manifest vouches for nothing new
    # Eager attention exports as the MatMul/Softmax pattern ONNX Runtime's fuser recognises
    # (scaled_dot_product_attention does not fuse); the arithmetic is the same.
    model = load_sentence_transformer(model_dir, attn_implementation="eager").eval()
    features = model.preprocess(list(PROBE_SENTENCES[:2]))
    names = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in features]

    class SentenceVectors(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            output = self.model(dict(zip(names, inputs, strict=True)))
            return output["sentence_embedding"]  # type: ignore[no-any-return]

    raw = folder / f".raw.{os.getpid()}.onnx"
    axes = {name: {0: "batch", 1: "tokens"} for name in names}
    try:
        # The tracer warns that a few shape tests become constants (attention-mask padding,
        # pooling's mask width): both hold for every input of this graph, which the probe
        # sentences below check against PyTorch, longer than the window included.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                SentenceVectors(),
                tuple(features[name] for name in names),
                str(raw),
                dynamo=False,
                input_names=names,
                output_names=["sentence_embedding"],
                dynamic_axes={**axes, "sentence_embedding": {0: "batch"}},
                opset_version=17,
            )
        target = folder / ONNX_FILE
        _write_atomically(target, raw.replace)
    finally:
        raw.unlink(missing_ok=True)
    agreement = _probe_agreement(model_dir, target)
    if agreement < PROBE_MIN_COSINE:
        target.unlink(missing_ok=True)
        raise ExportError(
            f"the ONNX export of {model_dir} disagrees with PyTorch (cosine {agreement:.5f} < "
            f"{PROBE_MIN_COSINE}); use CALLCOACH_EMBEDDING_BACKEND=torch"
        )
    manifest = {
        "recipe": EXPORT_RECIPE,
        "source": str(model_dir),
        "bytes": target.stat().st_size,
        "sha256": _sha256(target),
        "torch": torch.__version__,
        **_versions(),
        "probe_min_cosine": round(agreement, 6),
        "export_seconds": round(time.perf_counter() - started, 1),
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _write_atomically(
        folder / MANIFEST_FILE,
        lambda path: path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8"),
    )


def _probe_agreement(model_dir: Path, exported: Path) -> float:
    """The lowest cosine between PyTorch's float32 vectors (today's loader, not the eager one
    used to export) and the export's, on the probe sentences."""
    import torch

    from callcoach.scoring.embedding_model import load_sentence_transformer

    reference = load_sentence_transformer(model_dir)
    with torch.inference_mode():
        expected = reference.encode(list(PROBE_SENTENCES), convert_to_numpy=True)
    got = OnnxRuntimeEncoder(model_dir, exported, threads=0).encode(list(PROBE_SENTENCES))
    expected = expected / np.linalg.norm(expected, axis=1, keepdims=True)
    return float((got * expected).sum(axis=1).min())


def _max_length(model_dir: Path) -> int:
    """sentence-transformers' window: max_seq_length of sentence_bert_config.json."""
    config = model_dir / "sentence_bert_config.json"
    if config.exists():
        length = json.loads(config.read_text(encoding="utf-8")).get("max_seq_length")
        if isinstance(length, int) and length > 0:
            return length
    return 512


class SentenceEncoder:
    """Unit-length sentence vectors from an exported model, with the model's own tokenizer.
    Subclasses run one padded batch on their runtime."""

    def __init__(self, model_dir: Path, batch_size: int = 32) -> None:
        from tokenizers import Tokenizer

        self.batch_size = batch_size
        self.dimension = 0
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # tokenizer.json carries fixed padding and a 128-token cut from training; encode as
        # sentence-transformers does: pad to the longest text of the batch, cut at its window.
        self._tokenizer.enable_truncation(max_length=_max_length(model_dir))
        pad_id = self._tokenizer.token_to_id("[PAD]")
        self._tokenizer.enable_padding(pad_id=pad_id or 0, pad_token="[PAD]")

    def run_batch(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        raise NotImplementedError

    def encode(self, texts: list[str]) -> np.ndarray:
        # Longest first, as sentence-transformers sorts (by characters), so that each batch
        # pads little.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            encodings = self._tokenizer.encode_batch([texts[i] for i in rows])
            vectors[rows] = self.run_batch(
                {
                    "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                    "attention_mask": np.array(
                        [e.attention_mask for e in encodings], dtype=np.int64
                    ),
                    "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
                }
            )
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.asarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


def _width(shape: Any, onnx_path: Path) -> int:
    width = shape[-1]
    if not isinstance(width, int) or width < 1:
        raise ExportError(f"{onnx_path} does not give fixed-width vectors ({shape!r})")
    return width


class OnnxRuntimeEncoder(SentenceEncoder):
    """ONNX Runtime, float32."""

    precision = "float32"

    def __init__(
        self,
        model_dir: Path,
        onnx_path: Path,
        threads: int,
        batch_size: int = 32,
        optimization: str = "all",
    ) -> None:
        import onnxruntime as ort

        super().__init__(model_dir, batch_size)
        levels = {
            "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
            "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
            "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
        }
        options = ort.SessionOptions()
        options.graph_optimization_level = levels[optimization]
        options.intra_op_num_threads = threads  # 0: ONNX Runtime uses every physical core
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: no notes about unused initialisers
        # Idle threads sleep instead of spinning: between batches a scoring process does other
        # work, and spinning threads take the cores from it and from every other process.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        self._session = ort.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = [i.name for i in self._session.get_inputs()]
        self.dimension = _width(self._session.get_outputs()[0].shape, onnx_path)

    def run_batch(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        (output,) = self._session.run(None, {name: feed[name] for name in self._inputs})
        return np.asarray(output)


class OpenVinoEncoder(SentenceEncoder):
    """OpenVINO on the CPU. With `float32` it computes in float32; without, OpenVINO chooses
    (bfloat16 where the CPU has bfloat16 instructions). embedding_model.bfloat16_wanted decides
    which, as it does for PyTorch."""

    def __init__(
        self,
        model_dir: Path,
        onnx_path: Path,
        threads: int,
        batch_size: int = 32,
        float32: bool = False,
    ) -> None:
        import openvino as ov

        super().__init__(model_dir, batch_size)
        # No pinning: OpenVINO pins each process's inference threads to the first cores, so
        # two scoring workers of one thread each both ran on core 0 (each at half speed;
        # measured: 103 against 208 sentences/s per process, two processes on 2 cores).
        config: dict[str, Any] = {"PERFORMANCE_HINT": "LATENCY", "ENABLE_CPU_PINNING": False}
        if threads:
            config["INFERENCE_NUM_THREADS"] = threads
        if float32:
            config["INFERENCE_PRECISION_HINT"] = "f32"
        core = ov.Core()
        self._compiled = core.compile_model(core.read_model(str(onnx_path)), "CPU", config)
        self._inputs = {name for i in self._compiled.inputs for name in i.get_names()}
        hint = str(self._compiled.get_property("INFERENCE_PRECISION_HINT"))
        self.precision = "bfloat16" if "bf16" in hint or "bfloat16" in hint else "float32"
        shape = self._compiled.output(0).get_partial_shape()
        last = shape[len(shape) - 1]
        self.dimension = _width([last.get_length() if last.is_static else None], onnx_path)
        self._request = self._compiled.create_infer_request()
        self._lock = threading.Lock()  # one infer request: one batch at a time

    def run_batch(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        inputs = {name: value for name, value in feed.items() if name in self._inputs}
        with self._lock:
            result = self._request.infer(inputs)
            return np.array(result[self._compiled.output(0)], dtype=np.float32)
