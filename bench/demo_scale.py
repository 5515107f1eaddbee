"""How fast `callcoach demo --scale N` generates and imports a large org, measured in one run.

    .venv/bin/python bench/demo_scale.py [--calls 100000] [--seed 7] [--workers N]
                                         [--backends sqlite,postgresql] [--sample 4000]

For each backend, into a fresh database (SQLite: a temp file; PostgreSQL: a fresh schema in the
test database), times `generate_demo` end to end (the service behind `callcoach demo`: org,
transcripts written on --workers processes, bulk inserts in one transaction) and reports calls/s
and segments/s. On the same org it also times, on a sample of calls, writing transcripts alone
on one process and on --workers processes, so the cost of the database can be read off.
Goal: 100k calls with transcripts in a few minutes. Results: bench/results/demo_scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from callcoach.demo import DemoConfig, generate_org
from callcoach.demo.batches import call_batches
from callcoach.services.demo.setup import DemoOptions, generate_demo
from callcoach.services.rubrics.catalog import install_templates
from callcoach.store.db import Database
from callcoach.store.uow import Store

RESULTS = Path(__file__).resolve().parent / "results" / "demo_scale.json"
PG_URL = os.environ.get("CALLCOACH_TEST_PG_URL", "postgresql://127.0.0.1:5432/test")
END = date(2026, 11, 23)  # fixed, so runs compare


@contextmanager
def fresh_store(backend: str, workdir: Path) -> Iterator[Store]:
    if backend == "sqlite":
        store = Store(Database(str(workdir / "demo-scale.db")))
        try:
            store.migrate()
            yield store
        finally:
            store.close()
        return
    import psycopg

    schema = f"bench_demo_{uuid.uuid4().hex[:8]}"
    admin = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    store = Store(Database(f"{PG_URL}?options=-csearch_path%3D{schema}"))
    try:
        store.migrate()
        yield store
    finally:
        store.close()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def writing_rate(config: DemoConfig, sample: int, workers: int) -> dict[str, Any]:
    """Transcripts alone, no database: one process against `workers` processes."""
    started = time.perf_counter()
    org = generate_org(config)
    org_seconds = time.perf_counter() - started
    sample = min(sample, len(org.call_plans))
    org.call_plans = org.call_plans[:sample]  # a prefix: the same calls either way
    rates = {}
    for count in sorted({1, workers, os.cpu_count() or 1}):
        started = time.perf_counter()
        written = sum(len(batch) for batch in call_batches(org, 250, count, parallel_above=0))
        rates[count] = round(written / (time.perf_counter() - started), 1)
    return {
        "org_seconds": round(org_seconds, 2),
        "sample_calls": sample,
        "calls_per_second_by_processes": rates,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--sample", type=int, default=4000)
    args = parser.parse_args()

    config = DemoConfig(seed=args.seed, calls=args.calls, end=END)
    print(
        f"demo --scale {args.calls}: {config.rep_count} reps in {config.team_count} teams, "
        f"{'short' if config.short_transcripts else 'full'} transcripts, "
        f"{args.workers} worker(s), load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    rates = writing_rate(config, args.sample, args.workers)
    print(
        f"  org decided in {rates['org_seconds']} s; transcripts alone "
        + ", ".join(
            f"{n} process(es): {r} calls/s"
            for n, r in rates["calls_per_second_by_processes"].items()
        )
    )
    backends: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            with fresh_store(backend, Path(tmp)) as store:
                install_templates(store)
                started = time.perf_counter()
                summary = generate_demo(
                    store,
                    DemoOptions(seed=args.seed, calls=args.calls, end=END, workers=args.workers),
                )
                seconds = time.perf_counter() - started
                size = None
                if backend == "sqlite":
                    size = sum(p.stat().st_size for p in Path(tmp).glob("demo-scale.db*"))
            backends[backend] = {
                "seconds": round(seconds, 1),
                "calls_per_second": round(summary.calls / seconds, 1),
                "segments": summary.segments,
                "segments_per_second": round(summary.segments / seconds, 1),
                "reps": len(summary.reps),
                "teams": len(summary.teams),
                "deals": summary.deals,
                "ratings": summary.ratings,
                "database_bytes": size,
            }
            line = backends[backend]
            print(
                f"  {backend}: {summary.calls:,} calls, {summary.segments:,} segments, "
                f"{line['reps']} reps in {line['teams']} teams in {line['seconds']} s: "
                f"{line['calls_per_second']} calls/s, {line['segments_per_second']:,} segments/s"
            )
    result = {
        "command": "python bench/demo_scale.py " + " ".join(sys.argv[1:]),
        "calls": args.calls,
        "seed": args.seed,
        "workers": args.workers,
        "cores": os.cpu_count(),
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "short_transcripts": config.short_transcripts,
        "transcripts_only": rates,
        "generate_and_import": backends,
        "goal": "100k calls with transcripts in a few minutes",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
