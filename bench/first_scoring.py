"""First scoring of the full demo org, today's encoder configuration against the default, in one run.

    .venv/bin/python bench/first_scoring.py [--calls 1500] [--transcripts full] [--workers 2]
                                            [--variant today --variant default ...]
                                            [--output bench/results/first_scoring.json]

Issue 14's encoder goal is measured literally here: a first scoring of the full demo
(`callcoach demo --full` without its scoring: 1,500 full-length calls, seed 7, generated once
into a SQLite file by `callcoach demo --no-score`), copied once per variant and scored by
`callcoach score` in a fresh process tree per variant (its default worker processes, so model
loading, worker start-up, the run's set-up and storing every score are all in the figure), one
variant after the other on the same machine. The variants differ only in the environment:

- `today`: PyTorch as it ran when issue 14 was filed (`CALLCOACH_EMBEDDING_BACKEND=torch`,
  bfloat16 autocast on a CPU with AVX512-BF16 or AMX, else float32);
- `torch-float32`: PyTorch in float32;
- `default`: what a user gets today (OpenVINO, auto precision: float32 unless the CPU has AMX).

Each variant's model cache is warmed (the ONNX export made) before its clock starts: the export is
made once per machine and is timed on its own in bench/encoder.py. Reported per variant: wall
seconds of the `callcoach score` command, CPU seconds of it and its workers, the machine's load
average before and after; then the speed-up against `today`, and whether every call got the
same criterion levels as under `today`. Results: bench/results/first_scoring.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "first_scoring.json"
CLI = str(Path(sys.executable).parent / "callcoach")


def _has_bfloat16() -> bool:
    import torch

    return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())


def variants() -> dict[str, dict[str, str]]:
    today = "bfloat16" if _has_bfloat16() else "float32"
    return {
        "today": {"CALLCOACH_EMBEDDING_BACKEND": "torch", "CALLCOACH_EMBEDDING_PRECISION": today},
        "torch-float32": {
            "CALLCOACH_EMBEDDING_BACKEND": "torch",
            "CALLCOACH_EMBEDDING_PRECISION": "float32",
        },
        "default": {},
    }


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU seconds (this command and its child processes) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def _levels(path: Path) -> dict[tuple[str, str], int | None]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT calls.external_id, criterion_scores.criterion_id, criterion_scores.level "
            "FROM criterion_scores JOIN score_runs ON score_runs.id = criterion_scores.run_id "
            "JOIN calls ON calls.id = score_runs.call_id"
        ).fetchall()
    return {(call, criterion): level for call, criterion, level in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=1500)
    parser.add_argument("--transcripts", choices=["full", "short"], default="full")
    parser.add_argument(
        "--workers", type=int, default=None, help="Scoring processes (default: the cores)."
    )
    parser.add_argument(
        "--variant",
        action="append",
        choices=list(variants()),
        help="Variants to time, in this order (default: today, torch-float32, default).",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    chosen = args.variant or list(variants())
    result: dict[str, Any] = {
        "command": "python " + " ".join(["bench/first_scoring.py", *sys.argv[1:]]),
        "calls": args.calls,
        "transcripts": args.transcripts,
        "cores": os.cpu_count(),
        "cpu_has_bfloat16": _has_bfloat16(),
        "variants": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base_env = {**os.environ, "CALLCOACH_MODEL_CACHE": str(work / "model-cache")}
        original = work / "demo.db"
        started = time.perf_counter()
        _run(
            [
                CLI,
                "--db",
                str(original),
                "demo",
                "--scale",
                str(args.calls),
                "--transcripts",
                args.transcripts,
                "--no-score",
            ],
            base_env,
        )
        result["generate_seconds"] = round(time.perf_counter() - started, 1)
        print(f"demo generated: {args.calls} calls in {result['generate_seconds']} s", flush=True)
        levels: dict[str, dict[tuple[str, str], int | None]] = {}
        for name in chosen:
            env = {**base_env, **variants()[name]}
            # The export (OpenVINO, ONNX Runtime) is made once per machine, not per scoring.
            _run(
                [
                    sys.executable,
                    "-c",
                    "from callcoach.scoring.embedding_model import "
                    "shared_model; shared_model().encode(['Okay.'])",
                ],
                env,
            )
            copy = work / f"{name}.db"
            shutil.copyfile(original, copy)
            command = [CLI, "--db", str(copy), "score", "--format", "json"]
            if args.workers:
                command += ["--workers", str(args.workers)]
            load_before = os.getloadavg()[0]
            wall, cpu, out = _run(command, env)
            summary = json.loads(out)
            levels[name] = _levels(copy)
            result["variants"][name] = {
                "environment": variants()[name],
                "wall_seconds": round(wall, 1),
                "cpu_seconds": round(cpu, 1),
                "calls_scored": summary.get("scored"),
                "workers": summary.get("workers"),
                "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            }
            print(f"{name}: {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
    if "today" in result["variants"]:
        today = result["variants"]["today"]["wall_seconds"]
        for name, row in result["variants"].items():
            row["speedup_vs_today"] = round(today / row["wall_seconds"], 2)
            same = sum(levels[name].get(k) == v for k, v in levels["today"].items())
            row["criterion_levels_equal_to_today"] = f"{same}/{len(levels['today'])}"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["variants"], indent=2))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
