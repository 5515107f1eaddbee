"""Web latency: team dashboard and rep scorecard p95 with 20 concurrent managers on 100k calls.

    .venv/bin/python bench/web_latency.py [--calls 100000] [--users 20] [--rounds 5] [--workers 2]
                                          [--baseline-src DIR]

Builds (once, cached under bench/.cache/) a store of `--calls` scored calls: 1,000 reps in 100
teams of 10, calls spread over six months, each scored by the deterministic fake scorer on the
one-call-close rubric. Rows are written in bulk with SQLAlchemy Core because building 100k calls
one service call at a time would take most of an hour; what is measured is the web app, through
`callcoach serve` on a free local port, signed in as 20 managers (one team each; all sign in
first, then the pages are timed) who each load their dashboard and one of their reps' scorecards
`--rounds` times, all at once. Prints p50, p95 and max per page as the client sees them and as
the server reports them (Server-Timing), cold (first view: the report is computed) and warm
(later views, served from the report cache until the data changes), the CPU time the server
processes used per page and the machine's load, and writes bench/results/web_latency.json with
the command. The load generator runs on the same cores as the server. With `--baseline-src`
(another version's `src` folder) that version's server is measured first on the same store, in
the same run, and its figures are kept under "baseline" for a before/after.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from callcoach.services.accounts.users import add_user
from callcoach.services.rubrics.catalog import install_templates
from callcoach.store.db import Database
from callcoach.store.models import (
    CallRow,
    CriterionScoreRow,
    DealRow,
    RepRow,
    ScoreRunRow,
    SegmentRow,
    TeamRow,
)
from callcoach.store.uow import Store

ROOT = Path(__file__).resolve().parent
PASSWORD = "bench password 123"
REPS_PER_TEAM = 10
TEAMS = 100
RUBRIC = "one-call-close"
MIGRATION = (
    ROOT.parent
    / "src"
    / "callcoach"
    / "store"
    / "migrations"
    / "versions"
    / "0001_initial_schema.py"
)
GOAL_P95_MS = 300.0
LINES = [
    ("rep", "Thanks for making time. What prompted you to look at this now?"),
    ("prospect", "Month end takes us four days and the numbers are still wrong."),
    ("rep", "What does a late close cost you each month, in hours and in decisions?"),
    ("prospect", "Two analysts for a week, and the board pack goes out late."),
    ("rep", "If we had you closing in one day by next quarter, would you move this month?"),
    ("prospect", "Possibly. Price is the question, we budgeted less than that."),
]


def build_store(path: Path, calls: int, seed: int = 7) -> None:
    """A scored org of `calls` calls, written in bulk."""
    rng = random.Random(seed)
    database = Database(str(path))
    database.migrate()
    store = Store(database)
    install_templates(store)
    with store.unit_of_work() as uow:
        stored = uow.rubrics.latest(RUBRIC)
        assert stored is not None
    criteria = stored.rubric.criteria
    now = datetime(2026, 9, 30, 12, 0)
    start = now - timedelta(days=182)
    reps = TEAMS * REPS_PER_TEAM
    per_rep = max(1, calls // reps)
    skill = {(r, c.id): rng.uniform(1.6, 4.4) for r in range(reps) for c in criteria}
    with database.engine.begin() as conn:
        conn.execute(
            insert(TeamRow),
            [
                {"id": t + 1, "name": f"Team {t + 1:03d}", "manager": f"Manager {t + 1:03d}"}
                for t in range(TEAMS)
            ],
        )
        conn.execute(
            insert(RepRow),
            [
                {
                    "id": r + 1,
                    "name": f"Rep {r + 1:04d}",
                    "email": f"rep{r + 1}@example.com",
                    "team_id": r // REPS_PER_TEAM + 1,
                    "manager": f"Manager {r // REPS_PER_TEAM + 1:03d}",
                    "start_date": date(2024, 1, 1) + timedelta(days=rng.randrange(700)),
                }
                for r in range(reps)
            ],
        )
        call_id = 0
        batch: dict[str, list[dict[str, Any]]] = {
            k: [] for k in ("deal", "call", "seg", "run", "crit")
        }

        def flush() -> None:
            for key, model in (
                ("deal", DealRow),
                ("call", CallRow),
                ("seg", SegmentRow),
                ("run", ScoreRunRow),
                ("crit", CriterionScoreRow),
            ):
                if batch[key]:
                    conn.execute(insert(model), batch[key])
                    batch[key].clear()

        for rep in range(reps):
            for _ in range(per_rep):
                call_id += 1
                when = start + timedelta(minutes=rng.randrange(182 * 24 * 60))
                levels = {
                    c.id: max(1, min(5, round(rng.gauss(skill[(rep, c.id)], 0.8))))
                    for c in criteria
                }
                won = rng.random() < 0.2 + 0.1 * (sum(levels.values()) / len(levels) - 1)
                batch["deal"].append(
                    {
                        "id": call_id,
                        "external_id": f"deal-{call_id}",
                        "account": f"Account {call_id % 5000}",
                        "outcome": "won" if won else "lost",
                        "close_date": (when + timedelta(days=20)).date(),
                        "rep_id": rep + 1,
                    }
                )
                batch["call"].append(
                    {
                        "id": call_id,
                        "external_id": f"call-{call_id}",
                        "rep_id": rep + 1,
                        "call_date": when,
                        "duration_s": 120.0,
                        "account": f"Account {call_id % 5000}",
                        "deal_id": call_id,
                        "call_type": "discovery",
                        "content_hash": hashlib.sha256(f"{call_id}".encode()).hexdigest(),
                        "meta": {},
                        "imported_at": now,
                    }
                )
                for idx, (role, text) in enumerate(LINES):
                    batch["seg"].append(
                        {
                            "call_id": call_id,
                            "idx": idx,
                            "speaker": f"Rep {rep + 1:04d}" if role == "rep" else "Prospect",
                            "role": role,
                            "start_s": idx * 20.0,
                            "end_s": idx * 20.0 + 18.0,
                            "text": text,
                        }
                    )
                overall = stored.rubric.weighted_overall(dict(levels))
                batch["run"].append(
                    {
                        "id": call_id,
                        "call_id": call_id,
                        "rubric_version_id": stored.version_pk,
                        "scorer": "fake",
                        "scorer_version": "1",
                        "status": "scored",
                        "overall": overall,
                        "created_at": now,
                    }
                )
                for n, c in enumerate(criteria):
                    seg = 2 * (n % 3)
                    batch["crit"].append(
                        {
                            "run_id": call_id,
                            "criterion_id": c.id,
                            "level": levels[c.id],
                            "confidence": 0.5,
                            "rationale": f"level {levels[c.id]}: {c.anchors[levels[c.id]]}",
                            "evidence": [
                                {
                                    "segment": seg,
                                    "start": seg * 20.0,
                                    "end": seg * 20.0 + 18.0,
                                    "speaker": f"Rep {rep + 1:04d}",
                                    "quote": LINES[seg][1],
                                }
                            ],
                        }
                    )
                if len(batch["call"]) >= 2000:
                    flush()
        flush()
    for team in range(TEAMS):
        add_user(
            store, f"manager{team + 1:03d}", "manager", PASSWORD, teams=[f"Team {team + 1:03d}"]
        )
    store.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _sign_in(client: httpx.AsyncClient, number: int) -> None:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    response = await client.post(
        "/login",
        data={
            "username": f"manager{number:03d}",
            "password": PASSWORD,
            "csrf_token": token.group(1),
        },
    )
    assert response.status_code == 200, response.text[:300]


async def _user(
    client: httpx.AsyncClient,
    number: int,
    rounds: int,
    timings: dict[str, list[float]],
    server: dict[str, list[float]],
) -> None:
    rep = f"Rep {(number - 1) * REPS_PER_TEAM + 1:04d}"
    for n in range(rounds):
        for name, path in (("dashboard", "/"), ("scorecard", f"/reps/{rep}")):
            started = time.perf_counter()
            response = await client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (path, response.status_code)
            # The first round builds each report (cold); later rounds read the report cache
            # until the data changes, as a manager reopening the page does.
            key = name if n > 0 else f"{name} (cold)"
            timings[key].append(elapsed)
            found = re.search(r"app;dur=([0-9.]+)", response.headers.get("server-timing", ""))
            if found:
                server[key].append(float(found.group(1)))


async def _load(
    url: str, users: int, rounds: int, server_pid: int
) -> tuple[dict[str, list[float]], dict[str, list[float]], float, float]:
    """Client-side and server-side (Server-Timing) milliseconds per page, the wall time and the
    server's CPU seconds while the pages were served.

    Every manager signs in first (argon2 makes each sign-in cost ~0.1 s of a core on purpose);
    the pages are timed from when all are signed in, all managers at once."""
    keys = ("dashboard", "scorecard", "dashboard (cold)", "scorecard (cold)")
    timings: dict[str, list[float]] = {k: [] for k in keys}
    server: dict[str, list[float]] = {k: [] for k in keys}
    clients = [
        httpx.AsyncClient(base_url=url, timeout=120, follow_redirects=True) for _ in range(users)
    ]
    try:
        await asyncio.gather(*(_sign_in(c, n + 1) for n, c in enumerate(clients)))
        cpu_before = _cpu_seconds(server_pid)
        started = time.perf_counter()
        await asyncio.gather(
            *(_user(c, n + 1, rounds, timings, server) for n, c in enumerate(clients))
        )
        wall = time.perf_counter() - started
        cpu = _cpu_seconds(server_pid) - cpu_before
    finally:
        for client in clients:
            await client.aclose()
    return timings, server, wall, cpu


def _cpu_seconds(root: int) -> float:
    """User + system CPU time of a process and its descendants (the server's workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def build_cached_store(calls: int) -> Path:
    # The schema's fingerprint is part of the name: a store built before a schema change
    # (pre-release, the one migration is regenerated) is built again.
    schema = hashlib.sha256(MIGRATION.read_bytes()).hexdigest()[:8]
    cache = ROOT / ".cache" / f"web-{calls}-{schema}.db"
    cache.parent.mkdir(parents=True, exist_ok=True)
    if not cache.exists():
        started = time.perf_counter()
        partial = cache.with_suffix(".partial")
        for suffix in ("", "-wal", "-shm"):
            Path(str(partial) + suffix).unlink(missing_ok=True)
        build_store(partial, calls)
        partial.rename(cache)
        print(f"built {cache} with {calls} scored calls in {time.perf_counter() - started:.0f} s")
    return cache


def measure(cache: Path, args: argparse.Namespace, src: Path | None, label: str) -> dict[str, Any]:
    """One server on the store (from `src` when given, else this checkout), all managers at
    once; the pages' figures."""
    # Cold means cold: no report shared by an earlier run's server processes.
    with sqlite3.connect(cache) as connection:
        connection.execute("DELETE FROM report_cache")
    port = _free_port()
    env = {**os.environ, "CALLCOACH_SCORER": "fake"}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    log = (ROOT / ".cache" / f"web-server-{label}.log").open("w")  # the server's own account
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "callcoach"),
            "--db",
            str(cache),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopping it stops its workers too
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # a busy machine starts slowly
        while True:
            try:
                if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"the server did not start (see {log.name})")
            time.sleep(0.5)
        load_before = os.getloadavg()[0]
        bench_cpu_before = time.process_time()
        timings, server_ms, wall, server_cpu = asyncio.run(
            _load(url, args.users, args.rounds, server.pid)
        )
        bench_cpu = time.process_time() - bench_cpu_before
        load_after = os.getloadavg()[0]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    pages = {}
    print(f"{label}:")
    for name, values in timings.items():
        inside = server_ms[name]
        pages[name] = {
            "requests": len(values),
            "p50_ms": round(_percentile(values, 50), 1),
            "p95_ms": round(_percentile(values, 95), 1),
            "max_ms": round(max(values), 1),
            "mean_ms": round(statistics.fmean(values), 1),
            "meets_goal": _percentile(values, 95) < GOAL_P95_MS,
            "server_p50_ms": round(_percentile(inside, 50), 1) if inside else None,
            "server_p95_ms": round(_percentile(inside, 95), 1) if inside else None,
            "server_mean_ms": round(statistics.fmean(inside), 1) if inside else None,
        }
        print(
            f"  {name:17s} {len(values):4d} requests  p50 {pages[name]['p50_ms']:7.1f} ms  "
            f"p95 {pages[name]['p95_ms']:7.1f} ms  max {pages[name]['max_ms']:7.1f} ms  "
            f"(goal p95 < {GOAL_P95_MS:.0f} ms: {'met' if pages[name]['meets_goal'] else 'NOT met'})"
            f"; in the server p50 {pages[name]['server_p50_ms']} ms, "
            f"p95 {pages[name]['server_p95_ms']} ms"
        )
    requests = sum(len(v) for v in timings.values())
    print(
        f"  {requests} page requests in {wall:.1f} s: server processes used {server_cpu:.1f} s of "
        f"CPU ({server_cpu / requests * 1000:.0f} ms per page), the load generator "
        f"{bench_cpu:.1f} s, on {os.cpu_count()} cores; machine load {load_before:.1f} -> "
        f"{load_after:.1f}"
    )
    return {
        "source": str(src) if src is not None else "this checkout",
        "wall_seconds": round(wall, 1),
        "server_cpu_seconds": round(server_cpu, 1),
        "server_cpu_ms_per_page": round(server_cpu / requests * 1000, 1),
        "load_generator_cpu_seconds": round(bench_cpu, 1),
        "load_average_1min": [round(load_before, 2), round(load_after, 2)],
        "pages": pages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--baseline-src",
        type=Path,
        help="A `src` folder of another version (e.g. `git archive main src | tar -x -C DIR`): "
        "measured first, on the same store in the same run, for a before/after.",
    )
    args = parser.parse_args()
    cache = build_cached_store(args.calls)
    baseline = None
    if args.baseline_src is not None:
        baseline = measure(cache, args, args.baseline_src.resolve(), "baseline")
    current = measure(cache, args, None, "this checkout")
    result = {
        "command": "python bench/web_latency.py " + " ".join(sys.argv[1:]),
        "calls": args.calls,
        "reps": TEAMS * REPS_PER_TEAM,
        "concurrent_users": args.users,
        "rounds_measured": args.rounds - 1,
        "server_workers": args.workers,
        "cpu_cores": os.cpu_count(),
        "note": "Managers sign in first; pages are timed from then on, all managers at once. "
        "server_*_ms: from the app receiving the request to its answer (Server-Timing header), "
        "which includes waiting for a thread and for the worker's share of the cores, but not "
        "the wait before a worker accepts the connection nor the client's own time.",
        "goal_p95_ms": GOAL_P95_MS,
        **{k: v for k, v in current.items() if k != "source"},
    }
    if baseline is not None:
        result["baseline"] = baseline
    out = ROOT / "results" / "web_latency.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
