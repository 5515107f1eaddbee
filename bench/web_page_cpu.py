"""CPU time to build a team dashboard and a rep page, this checkout against another version.

    .venv/bin/python bench/web_page_cpu.py --baseline-src DIR [--calls 100000] [--pages 20]
                                           [--repeats 2]

On the store bench/web_latency.py builds (`--calls` scored calls, 1,000 reps in 100 teams of 10;
built here if missing), each version builds `--pages` dashboards and rep pages, each for another
manager's team, in a fresh process (`team_dashboard`, `rep_view`: what the pages compute on a
first view, before rendering), and reports the median CPU milliseconds per page. The versions
take turns, `--repeats` times each. CPU time, not wall time: on a machine shared with other
work the wall clock measures the others. `--baseline-src` is another version's `src` folder
(e.g. `git archive main src | tar -x -C DIR`). Results: bench/results/web_page_cpu.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
HERE_SRC = ROOT.parent / "src"

WORKER = """
import json, sys, time
from callcoach.domain.access import Role, Viewer
from callcoach.services.assessment.team import rep_view, team_dashboard
from callcoach.store.db import Database
from callcoach.store.uow import Store

store = Store(Database(sys.argv[1]))
pages = int(sys.argv[2])


def viewer(team):
    return Viewer(f"manager{team:03d}", Role.MANAGER, teams=frozenset({f"Team {team:03d}"}))


# One page of each kind first: imports and SQLAlchemy's statement caches warm up, as in a server
# that has answered a request.
team_dashboard(store, viewer(1), preferred_scorer="fake")
rep_view(store, "Rep 0001", viewer(1), preferred_scorer="fake")
dashboard, rep = [], []
for team in range(2, pages + 2):
    started = time.process_time()
    team_dashboard(store, viewer(team), preferred_scorer="fake")
    dashboard.append(time.process_time() - started)
    started = time.process_time()
    rep_view(store, f"Rep {(team - 1) * 10 + 1:04d}", viewer(team), preferred_scorer="fake")
    rep.append(time.process_time() - started)
print(json.dumps({"dashboard": dashboard, "rep": rep}))
"""


def run(src: Path, store: Path, pages: int) -> dict[str, list[float]]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, "-c", WORKER, str(store), str(pages)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-src", type=Path, required=True)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from web_latency import build_cached_store

    store = build_cached_store(args.calls)
    versions = {"baseline": args.baseline_src.resolve(), "this checkout": HERE_SRC}
    samples: dict[str, dict[str, list[float]]] = {
        name: {"dashboard": [], "rep": []} for name in versions
    }
    load = [os.getloadavg()[0]]
    for _ in range(args.repeats):
        for name, src in versions.items():
            got = run(src, store, args.pages)
            for page in ("dashboard", "rep"):
                samples[name][page].extend(got[page])
    load.append(os.getloadavg()[0])
    result: dict[str, object] = {
        "command": "python bench/web_page_cpu.py " + " ".join(sys.argv[1:]),
        "calls": args.calls,
        "pages_per_run": args.pages,
        "repeats": args.repeats,
        "load_average_1min": [round(x, 2) for x in load],
        "note": "CPU milliseconds to build a first view (no cache) in one process, median over "
        "the pages; the versions took turns.",
    }
    for name in versions:
        figures = {
            f"{page}_cpu_ms_median": round(statistics.median(values) * 1000, 1)
            for page, values in samples[name].items()
        }
        result[name] = figures
        print(f"{name:14s} " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    out = ROOT / "results" / "web_page_cpu.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
