"""Review pack preparation speed: the demo org's 12 reps, and a 1,000-rep, 100,000-call org, on
SQLite and PostgreSQL.

    .venv/bin/python bench/reviews.py [--runs 3] [--rebuild] [--backends sqlite,postgresql]
                                      [--skip-large]

Stores (kept between runs, like bench/analytics.py, whose builder this reuses):

- **demo**: `callcoach demo --full --no-score --end 2026-11-23` (2 teams of 6 reps, ~1,500 calls), with
  machine scores for every call imported (generated per-rep levels, `callcoach import scores`);
- **large**: bench/analytics.py's store: `callcoach demo --scale 100000` (1,000 reps in 80
  teams) with scores imported the same way.

Scoring is imported rather than run because preparing a pack only reads stored levels (scoring
100,000 calls with a real model is not feasible here). Timed, after one warm-up that loads the
MiniLM model once per process (its load time is reported apart):

- **per rep**: `prepare_review` for one rep, everything included (the organisation's outcome
  association, read for that one pack); the median over reps and runs;
- **whole team**: `prepare_team_reviews` for a team (the association read once, every rep's
  pack written in its own transaction); per rep = the team's time / its reps.

Goal: under 1 s per rep on both backends. Results: bench/results/reviews.json and docs/reviews.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import analytics as analytics_bench  # bench/analytics.py: the 100k store builder
from callcoach.domain.access import SYSTEM, Scope
from callcoach.services.reviews.prepare import (
    default_encoder,
    prepare_review,
    prepare_team_reviews,
)
from callcoach.settings import Settings
from callcoach.store.db import Database
from callcoach.store.uow import Store

BENCH = Scope.system("benchmark script: the whole organisation it built")

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "reviews.json"
DEMO_END = "2026-11-23"


def build_demo(db: str, seed: int) -> None:
    analytics_bench.cli(db, "init")
    analytics_bench.cli(db, "demo", "--full", "--no-score", "--end", DEMO_END, "--seed", str(seed))
    with tempfile.TemporaryDirectory() as scratch:
        store = Store(Database(db))
        scores = Path(scratch) / "scores.jsonl"
        analytics_bench.write_scores(store, scores, seed)
        store.close()
        analytics_bench.cli(db, "import", "scores", str(scores))
    if db.startswith("postgresql"):
        analytics_bench.settle_pg(db)


def teams_and_as_of(store: Store) -> tuple[list[tuple[str, list[str]]], date]:
    with store.unit_of_work() as uow:
        teams = [t.name for t in uow.people.teams(scope=BENCH)]
        members = [(t, [r.name for r in uow.people.reps(team=t, scope=BENCH)]) for t in teams]
        latest = uow.analytics.latest_call_date()
    assert latest is not None
    return members, latest.date() if isinstance(latest, datetime) else latest


def measure(db: str, runs: int, team_count: int, reps_per_team: int) -> dict[str, Any]:
    store = Store(Database(db))
    settings = Settings(db=db, scorer=analytics_bench.SCORER)
    started = time.perf_counter()
    encoder = default_encoder(settings)
    encoder.encode(["warm up the model"])
    model_load = time.perf_counter() - started
    members, as_of = teams_and_as_of(store)
    teams = [m for m in members if m[1]][:team_count]
    common: dict[str, Any] = {
        "rubric": analytics_bench.RUBRIC,
        "as_of": as_of,
        "viewer": SYSTEM,
        "settings": settings,
        "preferred_scorer": analytics_bench.SCORER,
        "encoder": encoder,
    }
    _first_team, first_reps = teams[0]
    prepare_review(store, first_reps[0], **common)  # warm-up: imports, query plans
    load_before = os.getloadavg()[0]
    per_rep: list[float] = []
    per_rep_cpu: list[float] = []
    sizes: list[int] = []
    for _ in range(runs):
        for _team, reps in teams:
            for rep in reps[:reps_per_team]:
                wall, cpu = time.perf_counter(), time.process_time()
                done = prepare_review(store, rep, **common)
                per_rep.append(time.perf_counter() - wall)
                per_rep_cpu.append(time.process_time() - cpu)
                sizes.append(len(done.pack.evidence))
    team_times: list[dict[str, Any]] = []
    for _ in range(runs):
        for team, reps in teams:
            wall, cpu = time.perf_counter(), time.process_time()
            result = prepare_team_reviews(store, team, **common)
            seconds = time.perf_counter() - wall
            team_times.append(
                {
                    "team": team,
                    "reps": len(reps),
                    "prepared": len(result.prepared),
                    "seconds": round(seconds, 3),
                    "cpu_s": round(time.process_time() - cpu, 3),
                    "per_rep_s": round(seconds / max(1, len(result.prepared)), 3),
                }
            )
    with store.unit_of_work() as uow:
        calls = len(uow.calls.external_ids(scope=BENCH))
        reps_total = len(uow.people.rep_names(scope=BENCH))
    store.close()
    per_team_rep = [t["per_rep_s"] for t in team_times]
    return {
        "calls": calls,
        "reps": reps_total,
        "as_of": as_of.isoformat(),
        "teams_measured": [t for t, _ in teams],
        "model_load_s": round(model_load, 2),
        "per_rep_median_s": round(statistics.median(per_rep), 3),
        "per_rep_max_s": round(max(per_rep), 3),
        "per_rep_cpu_median_s": round(statistics.median(per_rep_cpu), 3),
        "per_rep_runs": len(per_rep),
        "evidence_items_median": int(statistics.median(sizes)),
        "team": team_times,
        "team_per_rep_median_s": round(statistics.median(per_team_rep), 3),
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "under_goal": statistics.median(per_rep) < 1.0 and statistics.median(per_team_rep) < 1.0,
    }


def store_url(backend: str, name: str, rebuild: bool) -> str | None:
    if backend == "sqlite":
        folder = Path(tempfile.gettempdir()) / "callcoach-bench"
        folder.mkdir(exist_ok=True)
        path = folder / f"{name}.db"
        if rebuild:
            path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    schema = name.replace("-", "_")
    if rebuild:
        analytics_bench.drop_pg(schema)
    return analytics_bench.pg_url(schema)


def ready(db: str, calls: int) -> bool:
    try:
        return analytics_bench.counts(Store(Database(db)))[2] >= calls
    except Exception:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--skip-large", action="store_true", help="Only the demo org.")
    parser.add_argument("--large-reps", type=int, default=4, help="Reps per team timed alone.")
    parser.add_argument(
        "--schema-tag",
        help="Use the stores built for this schema fingerprint (default: the current "
        "migration's); packs read only tables a later schema change left alone.",
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="Keep the other stores' and backends' figures already in the results file.",
    )
    args = parser.parse_args()
    schema = (
        args.schema_tag or hashlib.sha256(analytics_bench.MIGRATION.read_bytes()).hexdigest()[:8]
    )
    results: dict[str, Any] = {
        "command": "python " + " ".join(["bench/reviews.py", *sys.argv[1:]]),
        "goal_s_per_rep": 1.0,
        "machine": f"{os.cpu_count()} cores, shared with other work (see load_average_1min)",
        "scores": "imported (generated per-rep levels through `callcoach import scores`)",
        "stores": {},
    }
    if args.merge and RESULTS.exists():
        earlier = json.loads(RESULTS.read_text(encoding="utf-8"))
        results["stores"] = earlier.get("stores", {})
        results["command"] = f"{earlier.get('command', '')}; then {results['command']}"
    plans = [("demo", f"reviews-demo-{args.seed}-{schema}", 1500, 2, 6)]
    if not args.skip_large:
        plans.append(
            ("large", f"analytics-100000-1000-{args.seed}-{schema}", 100_000, 2, args.large_reps)
        )
    for label, name, calls, team_count, reps_per_team in plans:
        results["stores"].setdefault(label, {})
        for backend in args.backends.split(","):
            print(f"{label} on {backend}:", flush=True)
            db = store_url(backend, name, args.rebuild)
            if db is None:
                results["stores"][label][backend] = {"skipped": "PostgreSQL not reachable"}
                continue
            if ready(db, calls):
                print("  reusing the store built earlier", flush=True)
            elif label == "demo":
                build_demo(db, args.seed)
            else:
                analytics_bench.build(db, calls, 1000, args.seed)
            if backend == "postgresql":
                analytics_bench.settle_pg(db)
            figures = measure(db, args.runs, team_count, reps_per_team)
            results["stores"][label][backend] = figures
            print(
                f"  {figures['reps']} reps, {figures['calls']} calls, as of {figures['as_of']}: "
                f"per rep {figures['per_rep_median_s']:.3f} s median (max "
                f"{figures['per_rep_max_s']:.3f}, CPU {figures['per_rep_cpu_median_s']:.3f}); "
                f"whole team {figures['team_per_rep_median_s']:.3f} s per rep; model load "
                f"{figures['model_load_s']:.1f} s once; load {figures['load_average_1min']}",
                flush=True,
            )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
