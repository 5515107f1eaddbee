"""Scorecard and priorities speed on 1,000 reps and 100,000 calls, on SQLite and PostgreSQL.

    .venv/bin/python bench/analytics.py [--calls 100000] [--reps 1000] [--runs 5] [--rebuild]
                                        [--backends sqlite,postgresql]

Builds the store once per backend and keeps it (SQLite: a file under the temp dir; PostgreSQL:
the schema `callcoach_bench_analytics` in the test database), so later runs only time:

- calls: `callcoach demo --scale N` when the demo generator offers it, else a generated
  conversation JSONL (1,000 reps in 100 teams, 6 months of calls, 4 calls per deal) through
  `callcoach import reps|calls|deals`;
- machine scores for every call: a generated scores JSONL (levels from per-rep skill profiles,
  evidence quoting a rep turn) through `callcoach import scores`. Scoring 100,000 calls with a
  real model is not feasible on this machine (the fake scorer alone runs at ~60 calls/s through
  the runner), and the analytics only read stored levels.

Then it times `build_scorecards` and `build_priorities` (the services behind `callcoach scorecard`
and `callcoach priorities`, for every rep of the latest quarter against the previous one): the
median of --runs runs after one warm-up, each on its own, both in a row, and both from one read
of the levels (`build_assessment`, what a team page shows). Goal: under 1 s on
each backend. Results: bench/results/analytics.json.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from callcoach.services.assessment.query import AssessmentQuery
from callcoach.services.assessment.scorecards import (
    build_assessment,
    build_priorities,
    build_scorecards,
)
from callcoach.store.db import Database
from callcoach.store.uow import Store

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "analytics.json"
MIGRATION = (
    ROOT / "src" / "callcoach" / "store" / "migrations" / "versions" / "0001_initial_schema.py"
)
CLI = [str(Path(sys.executable).with_name("callcoach"))]
RUBRIC = "one-call-close"
SCORER = "bench-import"
SCHEMA = "callcoach_bench_analytics"
PG_URL = "postgresql://127.0.0.1:5432/test"
START = datetime(2026, 1, 1, 8, 0)
DAYS = 180


def cli(db: str, *args: str) -> None:
    started = time.perf_counter()
    result = subprocess.run([*CLI, "--db", db, *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(
            f"`callcoach {' '.join(args)}` failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        )
    print(f"  callcoach {' '.join(args)}: {time.perf_counter() - started:.0f} s", flush=True)


def demo_scales() -> bool:
    result = subprocess.run([*CLI, "demo", "--help"], capture_output=True, text=True, check=False)
    return result.returncode == 0 and "--scale" in result.stdout


def write_roster_and_calls(folder: Path, calls: int, reps: int, seed: int) -> None:
    rng = random.Random(seed)
    names = [f"Rep {i:04d}" for i in range(reps)]
    with (folder / "reps.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "team", "manager"])
        for i, name in enumerate(names):
            writer.writerow([name, f"Team {i // 10:03d}", f"Manager {i // 10:03d}"])
    deals: dict[str, str] = {}
    with (folder / "calls.jsonl").open("w", encoding="utf-8") as handle:
        for i in range(calls):
            rep = names[i % reps]
            when = START + timedelta(minutes=rng.randrange(DAYS * 24 * 60))
            deal = f"bench-deal-{i // 4:06d}"
            deals[deal] = rep
            turns, clock = [], 0.0
            for k in range(6):
                speaker = rep if k % 2 else "Prospect"
                words = (
                    f"What does waiting cost you on item {i}? Can we agree a date for step {k}?"
                    if speaker == rep
                    else f"We are still comparing options for item {i}, part {k}."
                )
                length = rng.uniform(4, 20)
                turns.append(
                    {
                        "speaker": speaker,
                        "text": words,
                        "start": round(clock, 2),
                        "end": round(clock + length, 2),
                    }
                )
                clock += length + rng.uniform(0.2, 2.0)
            line = {
                "call_id": f"bench-{i:06d}",
                "rep": rep,
                "rep_speaker": rep,
                "date": when.isoformat(),
                "deal_id": deal,
                "account": f"Account {i // 4:06d}",
                "turns": turns,
            }
            handle.write(json.dumps(line) + "\n")
    with (folder / "deals.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["deal_id", "outcome", "rep", "close_date", "amount"])
        for deal, rep in deals.items():
            outcome = rng.choice(["won", "lost", "lost", "open"])
            writer.writerow(
                [deal, outcome, rep, (START + timedelta(days=DAYS - 1)).date().isoformat(), 10000]
            )


def write_scores(store: Store, path: Path, seed: int) -> int:
    """A scores JSONL line per call: levels from each rep's skills plus noise, quoting a rep turn."""
    with store.unit_of_work() as uow:
        stored = uow.rubrics.latest(RUBRIC)
        assert stored is not None
        rows = uow.session.execute(
            text(
                "SELECT c.external_id, c.rep_id, s.idx, s.speaker, s.start_s, s.end_s, s.text "
                "FROM calls c JOIN segments s ON s.call_id = c.id AND s.role = 'rep' "
                "ORDER BY c.id, s.idx"
            )
        ).all()
    criteria = stored.rubric.criterion_ids
    rng = random.Random(seed)
    skills: dict[int, dict[str, float]] = {}
    seen: set[str] = set()
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for call_id, rep_id, idx, speaker, start, end, quote in rows:
            if call_id in seen:
                continue
            seen.add(call_id)
            skill = skills.setdefault(rep_id, {c: rng.uniform(1.8, 4.2) for c in criteria})
            evidence = [
                {
                    "segment": idx,
                    "start": start,
                    "end": end,
                    "speaker": speaker,
                    "quote": quote[:60],
                }
            ]
            levels = {c: max(1, min(5, round(rng.gauss(skill[c], 0.8)))) for c in criteria}
            line = {
                "call_id": call_id,
                "rubric_id": RUBRIC,
                "rubric_version": stored.version,
                "scorer": SCORER,
                "overall": None,
                "criteria": [
                    {
                        "id": c,
                        "level": v,
                        "confidence": round(rng.uniform(0.4, 0.95), 2),
                        "rationale": f"level {v}",
                        "evidence": evidence,
                    }
                    for c, v in levels.items()
                ],
            }
            handle.write(json.dumps(line) + "\n")
            count += 1
    return count


def counts(store: Store) -> tuple[int, int, int]:
    with store.unit_of_work() as uow:
        calls = uow.session.execute(text("SELECT count(*) FROM calls")).scalar_one()
        reps = uow.session.execute(text("SELECT count(*) FROM reps")).scalar_one()
        runs = uow.session.execute(
            text("SELECT count(*) FROM score_runs WHERE scorer = :s"), {"s": SCORER}
        ).scalar_one()
    return int(calls), int(reps), int(runs)


def build(db: str, calls: int, reps: int, seed: int) -> None:
    cli(db, "init")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        if demo_scales():
            cli(db, "demo", "--scale", str(calls), "--seed", str(seed), "--no-score")
        else:
            print("  (`callcoach demo --scale` not available: importing a generated org instead)")
            write_roster_and_calls(folder, calls, reps, seed)
            cli(db, "import", "reps", str(folder / "reps.csv"))
            cli(db, "import", "calls", str(folder / "calls.jsonl"))
            cli(db, "import", "deals", str(folder / "deals.csv"))
        store = Store(Database(db))
        written = write_scores(store, folder / "scores.jsonl", seed)
        store.close()
        print(f"  {written} score lines generated")
        cli(db, "import", "scores", str(folder / "scores.jsonl"))
    if db.startswith("postgresql"):
        settle_pg(db)


def settle_pg(db: str) -> None:
    """VACUUM ANALYZE the freshly loaded tables: what autovacuum does on its own minutes after
    a bulk load (it is off on the test server here). Without it PostgreSQL cannot answer from
    the covering index alone and reads every criterion row from the table."""
    import psycopg

    schema = db.rsplit("search_path%3D", 1)[1]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for table in ("calls", "score_runs", "criterion_scores", "human_ratings", "deals"):
            conn.execute(f'VACUUM (ANALYZE) "{schema}".{table}')


def pg_url(schema: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    except Exception as exc:
        print(f"PostgreSQL not reachable at {PG_URL}: {exc}".splitlines()[0])
        return None
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


def drop_pg(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


CPU_TIMES: dict[int, list[float]] = {}


def median_seconds(action: Callable[[], Any], runs: int) -> tuple[float, list[float]]:
    """Median wall time; the process's CPU time of each run is kept in CPU_TIMES (the machine
    is shared: under load, wall time includes waiting for a core, CPU time does not)."""
    action()  # warm-up: imports, query plans, caches
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    CPU_TIMES[id(action)] = cpu
    return statistics.median(times), times


def median_cpu(action: Callable[[], Any]) -> float:
    return round(statistics.median(CPU_TIMES[id(action)]), 3)


def measure(db: str, runs: int) -> dict[str, Any]:
    store = Store(Database(db))
    query = AssessmentQuery(rubric=RUBRIC, scorer=SCORER)
    card = build_scorecards(store, query)
    calls, reps, scored = counts(store)

    def scorecard_action() -> None:
        build_scorecards(store, query)

    def priorities_action() -> None:
        build_priorities(store, query)

    def one_read_action() -> None:
        build_assessment(store, query)

    load_before = os.getloadavg()[0]
    scorecard, scorecard_runs = median_seconds(scorecard_action, runs)
    priorities, priorities_runs = median_seconds(priorities_action, runs)

    def both() -> None:
        build_scorecards(store, query)
        build_priorities(store, query)

    together, _ = median_seconds(both, runs)
    one_read, one_read_runs = median_seconds(one_read_action, runs)
    store.close()
    return {
        "calls": calls,
        "reps": reps,
        "scored_calls": scored,
        "cycle": card.cycle.label,
        "previous_cycle": card.previous_cycle.label,
        "calls_in_cycle": sum(c.calls for c in card.reps),
        "scorecard_s": round(scorecard, 3),
        "priorities_s": round(priorities, 3),
        "scorecard_then_priorities_s": round(together, 3),
        "assessment_one_read_s": round(one_read, 3),
        "cpu_s": {
            "scorecard": median_cpu(scorecard_action),
            "priorities": median_cpu(priorities_action),
            "assessment_one_read": median_cpu(one_read_action),
            "note": "this process only: on PostgreSQL the server's work is not included",
        },
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "assessment_one_read_runs_s": [round(t, 3) for t in one_read_runs],
        "scorecard_runs_s": [round(t, 3) for t in scorecard_runs],
        "priorities_runs_s": [round(t, 3) for t in priorities_runs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="Build the stores again.")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    # The schema's fingerprint is part of the cache key: a store built before a schema change
    # (pre-release, the one migration is regenerated) is built again.
    schema = hashlib.sha256(MIGRATION.read_bytes()).hexdigest()[:8]
    tag = f"{args.calls}-{args.reps}-{args.seed}-{schema}"
    results: dict[str, Any] = {
        "command": "python " + " ".join(["bench/analytics.py", *sys.argv[1:]]),
        "goal_s": 1.0,
        "calls": f"`callcoach demo --scale {args.calls}`"
        if demo_scales()
        else "a generated org through `callcoach import reps|calls|deals`",
        "scores": "imported (generated per-rep levels through `callcoach import scores`); scoring "
        f"{args.calls} calls with a real model is not feasible here",
        "backends": {},
    }
    for backend in args.backends.split(","):
        print(f"{backend}:", flush=True)
        if backend == "sqlite":
            folder = Path(tempfile.gettempdir()) / "callcoach-bench"
            folder.mkdir(exist_ok=True)
            path = folder / f"analytics-{tag}.db"
            if args.rebuild:
                path.unlink(missing_ok=True)
            db = f"sqlite:///{path}"
        else:
            schema = f"{SCHEMA}_{tag.replace('-', '_')}"
            if args.rebuild:
                drop_pg(schema)
            found = pg_url(schema)
            if found is None:
                results["backends"][backend] = {"skipped": "PostgreSQL not reachable"}
                continue
            db = found
        ready = False
        try:
            ready = counts(Store(Database(db)))[2] >= args.calls
        except Exception:
            ready = False
        if ready:
            print("  reusing the store built earlier")
            if backend == "postgresql":
                settle_pg(db)
        else:
            build(db, args.calls, args.reps, args.seed)
        figures = measure(db, args.runs)
        figures["each_under_goal"] = max(figures["scorecard_s"], figures["priorities_s"]) < 1.0
        figures["one_read_under_goal"] = figures["assessment_one_read_s"] < 1.0
        results["backends"][backend] = figures
        print(
            f"  {figures['reps']} reps, {figures['calls']} calls ({figures['calls_in_cycle']} in "
            f"{figures['cycle']}, compared with {figures['previous_cycle']}): scorecard "
            f"{figures['scorecard_s']:.3f} s, priorities {figures['priorities_s']:.3f} s, one after "
            f"the other {figures['scorecard_then_priorities_s']:.3f} s, both from one read "
            f"{figures['assessment_one_read_s']:.3f} s (medians of {args.runs}; goal < 1 s)\n"
            f"  process CPU time: scorecard {figures['cpu_s']['scorecard']:.3f} s, priorities "
            f"{figures['cpu_s']['priorities']:.3f} s, one read "
            f"{figures['cpu_s']['assessment_one_read']:.3f} s; machine load "
            f"{figures['load_average_1min'][0]:.1f} -> {figures['load_average_1min'][1]:.1f} "
            f"on {os.cpu_count()} cores",
            flush=True,
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
