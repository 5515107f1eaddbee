"""Parallel scoring: `callcoach score` with 1 worker process vs N, measured in one run.

    .venv/bin/python bench/scoring_workers.py [--calls 8] [--turns 100] [--workers 2]

Generates timed calls (the generator of bench/throughput.py), imports them into two identical
fresh SQLite databases and times `callcoach score --scorer embedded` as a user runs it (a new
process: imports, model loading in every worker, embedding, scoring, storing), once with
`--workers 1` and once with `--workers N`, in alternating order over `--rounds` rounds so load
from other processes on a shared machine hits both alike. Reports the wall-clock times, the
runner's own calls/s, and the speed-up. Results: bench/results/scoring_workers.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from throughput import generate_calls  # the same calls as the throughput bench

RESULTS = Path(__file__).resolve().parent / "results" / "scoring_workers.json"
CALLCOACH = str(Path(sys.executable).parent / "callcoach")


def run(db: Path, *args: str) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [CALLCOACH, "--db", str(db), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    wall = time.perf_counter() - started
    summary: dict[str, Any] = json.loads(done.stdout) if "--format" in args else {}
    return {"wall": wall, **summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=8)
    parser.add_argument("--turns", type=int, default=100)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    calls = generate_calls(args.calls, args.turns)

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "calls.jsonl"
        source.write_text("".join(json.dumps(c) + "\n" for c in calls))
        template = Path(tmp) / "template.db"
        run(template, "init")
        run(template, "import", "calls", str(source))
        times: dict[int, list[dict[str, Any]]] = {1: [], args.workers: []}
        for number in range(args.rounds):
            order = [1, args.workers] if number % 2 == 0 else [args.workers, 1]
            for workers in order:
                db = Path(tmp) / f"run-{number}-{workers}.db"
                shutil.copy(template, db)
                result = run(
                    db,
                    "score",
                    "--scorer",
                    "embedded",
                    "--workers",
                    str(workers),
                    "--format",
                    "json",
                )
                assert result["scored"] == len(calls) and not result["failures"], result
                times[workers].append(result)

    def mean(workers: int, key: str) -> float:
        values = [float(r[key]) for r in times[workers]]
        return sum(values) / len(values)

    one, many = mean(1, "wall"), mean(args.workers, "wall")
    result = {
        "command": "python " + " ".join(["bench/scoring_workers.py", *sys.argv[1:]]),
        "calls": len(calls),
        "turns_per_call": args.turns,
        "cpu_count": os.cpu_count(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "workers": args.workers,
        "rounds": args.rounds,
        "wall_seconds_1_worker": round(one, 2),
        f"wall_seconds_{args.workers}_workers": round(many, 2),
        "runner_calls_per_second_1_worker": round(mean(1, "calls_per_second"), 3),
        f"runner_calls_per_second_{args.workers}_workers": round(
            mean(args.workers, "calls_per_second"), 3
        ),
        "speedup": round(one / many, 2),
    }
    print(
        f"{len(calls)} calls x {args.turns} turns, {os.cpu_count()} cores "
        f"(load average now {os.getloadavg()[0]:.1f})\n"
        f"callcoach score --workers 1:  {one:6.1f} s\n"
        f"callcoach score --workers {args.workers}:  {many:6.1f} s  -> {one / many:.2f}x"
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
