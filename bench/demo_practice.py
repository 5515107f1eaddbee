"""Does the coaching report recover which reps' practice carried over to their real calls?

    .venv/bin/python bench/demo_practice.py [--calls 360] [--transcripts short] [--seed 7]

Generates the demo org (`callcoach demo`) into a fresh SQLite database, with its practice
history (src/callcoach/demo/practice.py: reps assigned three sessions on a criterion; for some
the practice raises their true level on later real calls, for the others it does not), runs the
demo's own scoring path (score every call with the embedded scorer, calibrate on the managers'
ratings, re-score) and builds the 30-day coaching report as of the demo's last day.

For each rep who practised, the report's carry-over line (the change on real calls around the
first practice session: improved is +0.5 over 10 calls) is set against the generator's truth
(carried over or not), as a confusion table. Beside it, the same verdict computed on the calls'
true levels: what a perfect scorer would report, so what is the scorer's doing and what is the
10-call rule's noise can be told apart. Also reported: the coaching events' verdicts against the
truth (as bench/demo_agreement.py), which practice must leave as they were, and how the embedded
scorer's levels for the practice attempts agree with the levels the generator wrote them at.
Results: bench/results/demo_practice.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from callcoach.analytics.coaching import CoachingEventInput, CoachingStatus, evaluate_event
from callcoach.domain.access import Scope
from callcoach.domain.calls import Call
from callcoach.scoring.embedded import EmbeddedScorer
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.demo.practice import score_demo_practice
from callcoach.services.demo.report import score_and_report
from callcoach.services.demo.setup import DemoOptions, generate_demo
from callcoach.services.rubrics.catalog import install_templates
from callcoach.store.db import Database
from callcoach.store.uow import Store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_agreement import coaching_detection

BENCH = Scope.system("benchmark script: the whole organisation it built")
RESULTS = Path(__file__).resolve().parent / "results" / "demo_practice.json"


def verdict(status: CoachingStatus) -> str:
    if status is CoachingStatus.IMPROVED:
        return "improved"
    if status is CoachingStatus.NOT_IMPROVED:
        return "not improved"
    return "no verdict"  # too early, no baseline or not trusted


def true_status(
    calls: dict[str, Call], rep: str, criterion: str, first: date, as_of: date
) -> tuple[CoachingStatus, float | None]:
    rows = [
        (pd.Timestamp(c.date), float(c.meta["demo_truth"]["levels"][criterion]))
        for c in calls.values()
        if c.rep == rep and c.date is not None
    ]
    history = pd.DataFrame({"date": [d for d, _ in rows], "level": [v for _, v in rows]})
    outcome = evaluate_event(CoachingEventInput(None, rep, criterion, first, None), history, as_of)
    return outcome.status, outcome.change


def confusion(cases: list[dict[str, Any]], key: str) -> dict[str, dict[str, int]]:
    table: dict[str, Counter[str]] = {"carried over": Counter(), "did not": Counter()}
    for case in cases:
        table["carried over" if case["truth_carried_over"] else "did not"][case[key]] += 1
    columns = ("improved", "not improved", "no verdict")
    return {row: {c: counts[c] for c in columns} for row, counts in table.items()}


def agreement(cases: list[dict[str, Any]], key: str) -> dict[str, Any]:
    judged = [c for c in cases if c[key] != "no verdict"]
    right = sum((c[key] == "improved") == c["truth_carried_over"] for c in judged)
    return {"cases": len(cases), "with_verdict": len(judged), "agreeing": right}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=360)
    parser.add_argument("--reps", type=int, default=None)
    parser.add_argument("--transcripts", default="short", choices=("auto", "full", "short"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    results: dict[str, Any] = {
        "command": "python " + " ".join(["bench/demo_practice.py", *sys.argv[1:]]),
        "scorer": f"embedded v{EmbeddedScorer.version}",
        "calls_requested": args.calls,
        "transcripts": args.transcripts,
        "seed": args.seed,
        "cpu_count": os.cpu_count(),
        "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
    }
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(f"sqlite:///{tmp}/demo.db")
        database.migrate()
        store = Store(database)
        install_templates(store)
        options = DemoOptions(
            seed=args.seed, calls=args.calls, reps=args.reps, transcripts=args.transcripts
        )
        summary = generate_demo(store, options)
        report = score_and_report(store, summary, ScorerConfig("embedded"), workers=args.workers)
        with store.unit_of_work() as uow:
            calls = {
                c.external_id: c
                for c in uow.calls.get_many(uow.calls.external_ids(scope=BENCH), scope=BENCH)
            }
        truth = {line.rep: line for line in summary.skills}
        found = {(c.rep, c.criterion_id): c for c in report.coaching.practice}
        cases = []
        for line in summary.practice:
            carried = bool(truth[line.rep].practice_carried_over)
            row = found.get((line.rep, line.criterion))
            status, change = true_status(
                calls, line.rep, line.criterion, line.first_session, summary.end
            )
            cases.append(
                {
                    "rep": line.rep,
                    "criterion": line.criterion,
                    "first_session": line.first_session.isoformat(),
                    "truth_carried_over": carried,
                    "in_report": row is not None,
                    "report": verdict(row.real.status) if row else "no verdict",
                    "report_change": None
                    if row is None or row.real.change is None
                    else round(row.real.change, 2),
                    "practice_levels": None
                    if row is None
                    else [row.sessions, row.attempts, row.first_level, row.best_level],
                    "true_levels": verdict(status),
                    "true_change": None if change is None else round(change, 2),
                }
            )
        results["demo"] = {
            "end": summary.end.isoformat(),
            "calls": summary.calls,
            "reps": len(summary.reps),
            "practising_reps": len(summary.practice),
            "practice_attempts": sum(p.attempts for p in summary.practice),
        }
        results["carry_over"] = {
            "cases": cases,
            "all_in_report": all(c["in_report"] for c in cases),
            "report_vs_truth": confusion(cases, "report"),
            "report_agreement": agreement(cases, "report"),
            "true_levels_vs_truth": confusion(cases, "true_levels"),
            "true_levels_agreement": agreement(cases, "true_levels"),
        }
        levels = {k: c.meta["demo_truth"]["levels"] for k, c in calls.items()}
        coaching = coaching_detection(store, calls, levels)
        results["coaching_events"] = {
            key: coaching[key]
            for key in ("agreeing", "improvements_in_truth", "improvements_detected")
        } | {
            "events": len(coaching["events"]),
            "false_improvements": coaching["false_improvements"],
        }
        practice_scoring = score_demo_practice(store, ScorerConfig("embedded"))
        results["practice_attempts_scored"] = practice_scoring.to_dict()
        store.close()
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    results["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    carry = results["carry_over"]
    print(f"{len(cases)} reps practised; all in the report: {carry['all_in_report']}")
    for name, key in (("report", "report_vs_truth"), ("true levels", "true_levels_vs_truth")):
        print(f"\n{name} vs truth")
        for row, counts in carry[key].items():
            print(f"  {row:13} " + "  ".join(f"{c} {n}" for c, n in counts.items()))
    for case in cases:
        print(
            f"  {case['rep']:18} {case['criterion']:20} truth "
            f"{'carried' if case['truth_carried_over'] else 'no':7} report {case['report']:12} "
            f"({case['report_change']})  true levels {case['true_levels']:12} "
            f"({case['true_change']})"
        )
    print(f"\ncoaching events: {results['coaching_events']}")
    print(f"practice attempts scored: {results['practice_attempts_scored']}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
