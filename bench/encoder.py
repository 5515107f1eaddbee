"""Encoding throughput: today's PyTorch MiniLM against ONNX Runtime and OpenVINO, in one run.

    .venv/bin/python bench/encoder.py [--sentences 2000] [--speed-sentences 300] [--passes 3]
                                      [--calls 240] [--transcripts short] [--calls-per-turn 25]
                                      [--part all|encoding|scoring] [--output FILE]

Everything below runs in this one process, on this machine, side by side:

1. Export: the bundled all-MiniLM-L6-v2 is exported to ONNX into a fresh model cache (what the
   first use of the `openvino` or `onnx` backend does once), timed.
2. Encoding speed: the first `--speed-sentences` of `--sentences` distinct sentences (half the
   demo generator's utterances, seed 7, half turns of the two shared corpora, PersuasionForGood
   and CaSiNo, from ../shared/data), encoded by every variant: today's path (PyTorch through
   sentence-transformers as it was when issue 14 was filed: bfloat16 autocast on CPUs with AMX
   or AVX512-BF16), PyTorch in float32, ONNX Runtime float32 at graph optimisation levels O1
   (basic) and all (ONNX Runtime's own fusions at load: the `onnx` backend), O2 (transformer
   fusions by onnxruntime.transformers, as optimum's O2) and O3 (O2 with the GELU
   approximation), dynamic int8 quantisation (per tensor, per channel), OpenVINO float32 (the
   `openvino` backend on CPUs without AMX) with 2 or 1 threads and batches of 16, 32 or 64, and
   OpenVINO bfloat16 (the backend's default before on CPUs with AVX512-BF16; batches of 16 unless
   said; today's path batches 32). In case the machine is shared with other work, the
   sentences are cut into chunks of 100 and every variant encodes each chunk in turn, the order
   rotating, for `--passes` passes: load from other processes falls on all variants alike.
   Sentences per second per pass; the speed-up is against today's path.
3. Agreement: every variant encodes all `--sentences` once (untimed); cosine of each variant's
   vectors with today's, min / 0.1th percentile / mean. The bar is 0.999.
4. First scoring of a demo org (`--calls` calls, `--transcripts` short by default: 3-4 minute
   calls, seed 7) by each way of running the model (today's PyTorch path, PyTorch float32, ONNX
   Runtime, OpenVINO bfloat16, and the default: OpenVINO at auto precision): the org is
   generated once into a SQLite file, copied once per variant, and every copy is scored by the
   real batch runner (`score_calls`, embedded scorer, in this process, 2 threads),
   `--calls-per-turn` calls at a time (each turn is one scoring run with its set-up, as a
   `callcoach score` is), the variants taking turns. Each variant keeps its own text cache, as a
   scoring process does. Then the levels, overall scores and quotes of every call are compared
   with those of today's path.

Results: bench/results/encoder.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from callcoach.demo import DemoConfig, generate_org
from callcoach.domain.access import Scope
from callcoach.scoring.embedding_model import (
    EmbeddingModel,
    bundled_model_path,
    shared_model,
)
from callcoach.scoring.embedding_onnx import (
    OnnxRuntimeEncoder,
    OpenVinoEncoder,
    ensure_export,
)
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.demo.setup import DemoOptions, generate_demo
from callcoach.services.rubrics.catalog import install_templates
from callcoach.services.scoring.runs import CallSelection, score_calls
from callcoach.store.db import Database
from callcoach.store.uow import Store

BENCH = Scope.system("benchmark script: the whole organisation it built")

RESULTS = Path(__file__).resolve().parent / "results" / "encoder.json"
CHUNK = 100  # sentences per turn of the round robin
SCORING_CHUNK = 25  # calls per turn when scoring (--calls-per-turn)
BAR = 0.999
BACKENDS = ("torch", "onnx", "openvino")
TODAY = "torch (today)"


def scoring_variants(has_bfloat16: bool) -> dict[str, tuple[str, str]]:
    """Name -> (backend, precision) of each way a first scoring is timed. Today's path is
    PyTorch as it was when issue 14 was filed: bfloat16 autocast on any CPU with bfloat16
    instructions (AVX512-BF16 or AMX), else float32."""
    today = "bfloat16" if has_bfloat16 else "float32"
    return {
        TODAY: ("torch", today),
        "torch float32": ("torch", "float32"),
        "onnx (float32)": ("onnx", "float32"),
        "openvino bfloat16": ("openvino", "bfloat16"),
        "openvino (default: auto precision)": ("openvino", "auto"),
    }


Encoder = Callable[[list[str]], np.ndarray]


def shared_data() -> Path | None:
    """../shared/data beside the repository (or a folder above it), or CALLCOACH_EVAL_DATA."""
    if os.environ.get("CALLCOACH_EVAL_DATA"):
        return Path(os.environ["CALLCOACH_EVAL_DATA"])
    for folder in Path(__file__).resolve().parents:
        if (folder / "shared" / "data" / "casino.jsonl").exists():
            return folder / "shared" / "data"
    return None


def sentences(count: int) -> tuple[list[str], dict[str, int]]:
    """Distinct realistic sentences: half demo utterances, half turns of the shared corpora."""
    rng = random.Random(0)
    org = generate_org(DemoConfig(seed=7, calls=200))
    demo = list(dict.fromkeys(s.text for c in org.calls(0, 60) for s in c.segments if s.text))
    corpus: list[str] = []
    data = shared_data()
    if data is not None:
        for name in ("persuasionforgood-dev.jsonl", "casino.jsonl"):
            with (data / name).open(encoding="utf-8") as handle:
                for line in handle:
                    corpus += [t["text"] for t in json.loads(line)["turns"] if t["text"].strip()]
        corpus = [t for t in dict.fromkeys(corpus) if t not in set(demo)]
    half = count // 2 if corpus else count
    from_demo = rng.sample(demo, min(half, len(demo)))
    from_corpora = rng.sample(corpus, min(count - len(from_demo), len(corpus)))
    picked = from_demo + from_corpora
    rng.shuffle(picked)
    return picked, {"demo_utterances": len(from_demo), "corpus_turns": len(from_corpora)}


def unit(matrix: np.ndarray) -> np.ndarray:
    return np.asarray(matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12))


def fused(plain: Path, target: Path, approximate_gelu: bool) -> Path:
    """optimum's O2 (attention, layer norm and GELU fusions) or O3 (with the GELU approximation),
    made with the onnxruntime.transformers optimizer that optimum calls."""
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    options = FusionOptions("bert")
    options.enable_gelu_approximation = approximate_gelu
    model = optimize_model(
        str(plain),
        model_type="bert",
        num_heads=12,
        hidden_size=384,
        optimization_options=options,
        opt_level=0,
        use_gpu=False,
    )
    model.save_model_to_file(str(target))
    return target


def quantised(plain: Path, target: Path, per_channel: bool) -> Path:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(plain),
        str(target),
        weight_type=QuantType.QInt8,
        per_channel=per_channel,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    return target


def variants(exported: Path, work: Path) -> dict[str, Encoder]:
    model_dir = bundled_model_path()
    o2 = fused(exported, work / "o2.onnx", approximate_gelu=False)
    o3 = fused(exported, work / "o3.onnx", approximate_gelu=True)
    int8 = quantised(exported, work / "int8.onnx", per_channel=False)
    int8_channel = quantised(exported, work / "int8-channel.onnx", per_channel=True)

    def ort(path: Path, threads: int = 2, level: str = "all", batch: int = 16) -> Encoder:
        return OnnxRuntimeEncoder(model_dir, path, threads, batch, optimization=level).encode

    def ov(threads: int = 2, batch: int = 16, float32: bool = True) -> Encoder:
        return OpenVinoEncoder(model_dir, exported, threads, batch, float32=float32).encode

    flags = cpu_flags()
    today = EmbeddingModel(
        backend="torch",
        precision="bfloat16" if flags["avx512_bf16"] or flags["amx"] else "float32",
    )
    return {
        f"torch {today.precision} (today)": today._run,
        "torch float32": EmbeddingModel(backend="torch", precision="float32")._run,
        "onnxruntime float32 O1 (basic)": ort(exported, level="basic"),
        "onnxruntime float32 all (onnx backend)": ort(exported),
        "onnxruntime float32 O2 (fused)": ort(o2),
        "onnxruntime float32 O3 (fused, GELU approx.)": ort(o3),
        "onnxruntime int8 dynamic, per tensor": ort(int8),
        "onnxruntime int8 dynamic, per channel": ort(int8_channel),
        "openvino float32 (openvino backend without AMX)": ov(),
        "openvino float32, 1 thread": ov(threads=1),
        "openvino float32, batch 32": ov(batch=32),
        "openvino float32, batch 64": ov(batch=64),
        "openvino bfloat16 (the backend's default before)": ov(float32=False),
    }


def round_robin(
    encoders: dict[str, Encoder], texts: list[str], passes: int
) -> dict[str, list[float]]:
    """Sentences per second of each encoder per pass, chunk by chunk in rotating order."""
    names = list(encoders)
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    rates: dict[str, list[float]] = {name: [] for name in names}
    for encode in encoders.values():
        encode(texts[:64])  # warm up before any clock starts
    for number in range(passes):
        seconds = dict.fromkeys(names, 0.0)
        for index, chunk in enumerate(chunks):
            turn = (index + number) % len(names)
            order = names[turn:] + names[:turn]
            for name in order if index % 2 == 0 else reversed(order):
                started = time.perf_counter()
                encoders[name](chunk)
                seconds[name] += time.perf_counter() - started
        for name in names:
            rates[name].append(round(len(texts) / seconds[name], 1))
        print(f"pass {number + 1}: " + ", ".join(f"{rates[n][-1]:.0f}" for n in names), flush=True)
    return rates


def cosines(vectors: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    values = (vectors * reference).sum(axis=1)
    return {
        "min": round(float(values.min()), 6),
        "p0.1": round(float(np.percentile(values, 0.1)), 6),
        "mean": round(float(values.mean()), 6),
    }


def demo_store(folder: Path, calls: int, transcripts: str) -> tuple[Path, str, int]:
    """The demo org in a SQLite file: (path, rubric id, segments)."""
    path = folder / "demo-torch.db"
    store = Store(Database(f"sqlite:///{path}"))
    store.migrate()
    install_templates(store)
    summary = generate_demo(store, DemoOptions(seed=7, calls=calls, transcripts=transcripts))
    store.close()
    return path, summary.rubric_id, summary.segments


def score_each_backend(
    original: Path, rubric: str, cache: Path, variants: dict[str, tuple[str, str]], per_turn: int
) -> tuple[dict[str, float], dict[str, float], dict[str, Store]]:
    """Score every call of a copy of the demo per variant, the variants taking turns."""
    names = tuple(variants)
    stores: dict[str, Store] = {}
    for number, name in enumerate(names):
        copy = original.with_name(f"demo-{number}.db")
        shutil.copyfile(original, copy)
        stores[name] = Store(Database(f"sqlite:///{copy}"))
    with stores[TODAY].unit_of_work() as uow:
        call_ids = uow.calls.external_ids(scope=BENCH)
    configs = {
        name: ScorerConfig(
            "embedded",
            {
                "embedding_backend": backend,
                "embedding_precision": precision,
                "model_cache": str(cache),
            },
        )
        for name, (backend, precision) in variants.items()
    }
    # Each variant's model is loaded before the clocks start (PyTorch is already imported by
    # then); loading is timed on its own. A fresh process pays it once.
    load = {}
    for name, (backend, precision) in variants.items():
        started = time.perf_counter()
        model = shared_model(None, backend, str(cache), precision)
        model.encode(["Okay."])
        load[name] = time.perf_counter() - started
        print(f"{name}: {model.backend}, {model.precision}", flush=True)
    seconds = dict.fromkeys(names, 0.0)
    chunks = [call_ids[i : i + per_turn] for i in range(0, len(call_ids), per_turn)]
    for index, chunk in enumerate(chunks):
        turn = index % len(names)
        order = names[turn:] + names[:turn]
        for name in order:
            done = score_calls(
                stores[name],
                configs[name],
                rubric_id=rubric,
                selection=CallSelection(call_ids=tuple(chunk)),
                workers=1,
            )
            assert done.scored == len(chunk), done
            seconds[name] += done.seconds
        print(
            f"scored {min(len(call_ids), (index + 1) * per_turn)}/{len(call_ids)} calls: "
            + ", ".join(f"{n} {seconds[n]:.0f} s" for n in names),
            flush=True,
        )
    return seconds, load, stores


def score_agreement(stores: dict[str, Store], rubric: str) -> dict[str, Any]:
    """Each backend's levels, overall scores and quotes against today's (torch)."""

    def scores(store: Store) -> dict[str, Any]:
        with store.unit_of_work() as uow:
            return {s.call_id: s for s in uow.scores.all(rubric, scope=BENCH)}

    reference = scores(stores[TODAY])
    result: dict[str, Any] = {}
    for backend in [name for name in stores if name != TODAY]:
        other = scores(stores[backend])
        levels = same_levels = same_calls = quotes = same_quotes = 0
        overall_gap = 0.0
        for call_id, ours in reference.items():
            theirs = other[call_id]
            pairs = list(zip(ours.criteria, theirs.criteria, strict=True))
            levels += len(pairs)
            same_levels += sum(a.level == b.level for a, b in pairs)
            same_calls += all(a.level == b.level for a, b in pairs)
            for a, b in pairs:
                quotes += 1
                same_quotes += [e.quote for e in a.evidence] == [e.quote for e in b.evidence]
            if ours.overall is not None and theirs.overall is not None:
                overall_gap = max(overall_gap, abs(ours.overall - theirs.overall))
        result[backend] = {
            "calls": len(reference),
            "criterion_levels_equal": f"{same_levels}/{levels}",
            "criterion_levels_equal_share": round(same_levels / max(levels, 1), 4),
            "calls_with_every_level_equal": f"{same_calls}/{len(reference)}",
            "criteria_with_the_same_quotes": f"{same_quotes}/{quotes}",
            "largest_overall_score_difference": round(overall_gap, 4),
        }
    return result


def cpu_flags() -> dict[str, bool]:
    import torch

    return {
        "avx512_bf16": bool(torch.cpu._is_avx512_bf16_supported()),
        "amx": bool(torch.cpu._is_amx_tile_supported()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sentences", type=int, default=2000, help="Sentences compared.")
    parser.add_argument(
        "--speed-sentences", type=int, default=300, help="Of those, sentences timed per pass."
    )
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--calls", type=int, default=240, help="Calls in the demo org scored.")
    parser.add_argument("--transcripts", choices=["short", "full"], default="short")
    parser.add_argument(
        "--calls-per-turn",
        type=int,
        default=SCORING_CHUNK,
        help="Calls each variant scores per turn (each turn is one scoring run, as "
        "`callcoach score` is: small turns time the run's set-up many times over).",
    )
    parser.add_argument(
        "--part",
        choices=["all", "encoding", "scoring"],
        default="all",
        help="Steps 1-3 (encoding), step 4 (scoring) or both. Each part is side by side in "
        "itself; on a busy machine the two parts can run as two processes at once.",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    result: dict[str, Any] = {
        "command": "python " + " ".join(["bench/encoder.py", *sys.argv[1:]]),
        "machine": {
            "cores": os.cpu_count(),
            **cpu_flags(),
            "load_average_1min_before": round(os.getloadavg()[0], 2),
            "shared": "other work ran on the same 2 cores; figures are ratios from one run",
        },
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cache = work / "model-cache"
        started = time.perf_counter()
        exported = ensure_export(bundled_model_path(), cache)
        result["export_seconds"] = round(time.perf_counter() - started, 1)
        print(f"export to ONNX: {result['export_seconds']} s", flush=True)
        if args.part in ("all", "encoding"):
            result.update(encoding_part(args, exported, work))
            write(args.output, result)
        if args.part in ("all", "scoring"):
            result["demo_scoring"] = scoring_part(args, work, cache)
    result["machine"]["load_average_1min_after"] = round(os.getloadavg()[0], 2)
    write(args.output, result)


def write(output: Path, result: dict[str, Any]) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {output}", flush=True)


def encoding_part(args: argparse.Namespace, exported: Path, work: Path) -> dict[str, Any]:
    texts, mix = sentences(args.sentences)
    encoders = variants(exported, work)
    rates = round_robin(encoders, texts[: args.speed_sentences], args.passes)
    vectors = {name: encode(texts) for name, encode in encoders.items()}
    today_name = next(iter(encoders))
    today = vectors[today_name]
    today_rate = float(np.median(rates[today_name]))
    table: dict[str, Any] = {}
    for name in encoders:
        rate = float(np.median(rates[name]))
        against_today = cosines(vectors[name], today)
        table[name] = {
            "sentences_per_second_per_pass": rates[name],
            "speedup_vs_today": round(rate / today_rate, 2),
            "cosine_vs_today": against_today,
            "meets_cosine_bar": against_today["min"] >= BAR,
        }
        print(
            f"{name:46s} {rate:7.1f} sentences/s  x{rate / today_rate:4.2f}  cosine vs today "
            f"min {against_today['min']:.5f} mean {against_today['mean']:.6f}"
        )
    return {
        "sentences_compared": len(texts),
        "sentence_mix": mix,
        "sentences_timed_per_pass": min(args.speed_sentences, len(texts)),
        "passes": args.passes,
        "encoding": table,
        "cosine_bar": BAR,
    }


def scoring_part(args: argparse.Namespace, work: Path, cache: Path) -> dict[str, Any]:
    original, rubric, segments = demo_store(work, args.calls, args.transcripts)
    flags = cpu_flags()
    variants = scoring_variants(flags["avx512_bf16"] or flags["amx"])
    seconds, load, stores = score_each_backend(
        original, rubric, cache, variants, args.calls_per_turn
    )
    agreement = score_agreement(stores, rubric)
    for store in stores.values():
        store.close()
    scoring = {
        name: {
            "backend": variants[name][0],
            "precision_asked": variants[name][1],
            "seconds": round(seconds[name], 1),
            "speedup_vs_today": round(seconds[TODAY] / seconds[name], 2),
            "model_load_seconds": round(load[name], 1),
        }
        for name in variants
    }
    for name, row in scoring.items():
        print(f"first scoring, {name:36s}: {row['seconds']:7.1f} s  x{row['speedup_vs_today']}")
    print(json.dumps(agreement, indent=2))
    return {
        "calls": args.calls,
        "segments": segments,
        "transcripts": args.transcripts,
        "scoring": "score_calls, embedded scorer, in this process (2 threads), "
        f"{args.calls_per_turn} calls per turn, variants taking turns; models loaded before "
        "the clocks start (model_load_seconds)",
        "variants": scoring,
        "agreement_with_today": agreement,
    }


if __name__ == "__main__":
    main()
