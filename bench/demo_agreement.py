"""Does the embedded scorer find the levels the demo was written at? And does calibration help?

    .venv/bin/python bench/demo_agreement.py [--calls 1500] [--seed 7] [--workers N]

Generates the demo org (`callcoach demo`) into a fresh SQLite database, scores every call with
the real batch runner (`callcoach score`), and compares the machine's levels with the truth the
generator wrote each call at (call.meta["demo_truth"], which the scorer never reads):

- Spearman correlation per criterion, on every call and on the calls no manager rated (the
  scorer learns from the managers' rated moments, so those calls are the honest test), the
  level distribution, and exact / within-one agreement with the true level;
- the same from the rubric's text alone (no rated moments: what a new rubric gets);
- machine versus managers before and after `callcoach scorer calibrate` (held out by call, as
  the command reports it), then Spearman again after re-scoring with the calibration;
- the coaching loop: for every coaching event, the verdict (improved or not, +0.5 on the
  coached criterion over 10 calls, as `callcoach coaching report` decides) from machine levels
  against the same verdict computed on the true levels.

Speed is reported too (wall time, calls per second, CPU seconds, load averages). Results:
bench/results/demo_agreement.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from callcoach.analytics.coaching import CoachingEventInput, evaluate_event
from callcoach.domain.access import Scope
from callcoach.domain.calls import Call
from callcoach.domain.scores import CallScore, ScoreStatus
from callcoach.scoring.base import ScoringRequest
from callcoach.scoring.embedded import EmbeddedScorer
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.assessment.coaching import build_coaching_report
from callcoach.services.assessment.query import AssessmentQuery
from callcoach.services.demo.setup import DemoOptions, generate_demo
from callcoach.services.rubrics.catalog import install_templates
from callcoach.services.scoring.runs import score_calls
from callcoach.services.scoring.teaching import calibrate
from callcoach.store.db import Database
from callcoach.store.uow import Store

BENCH = Scope.system("benchmark script: the whole organisation it built")

RESULTS = Path(__file__).resolve().parent / "results" / "demo_agreement.json"
RUBRIC = "one-call-close"


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def latest_scores(store: Store) -> dict[str, CallScore]:
    with store.unit_of_work() as uow:
        scores = [s for s in uow.scores.all(RUBRIC, scope=BENCH) if s.scorer == "embedded"]
    latest: dict[str, CallScore] = {}
    for s in scores:
        if s.call_id not in latest or s.rubric_version >= latest[s.call_id].rubric_version:
            latest[s.call_id] = s
    return latest


def levels_of(scores: dict[str, CallScore]) -> dict[str, dict[str, int]]:
    return {
        call_id: {c.criterion_id: c.level for c in s.criteria if c.level is not None}
        for call_id, s in scores.items()
        if s.status is ScoreStatus.SCORED
    }


def compare(
    machine: dict[str, dict[str, int]],
    truth: dict[str, dict[str, int]],
    criteria: list[str],
    calls: list[str],
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for cid in criteria:
        pairs = [
            (machine[c][cid], truth[c][cid]) for c in calls if c in machine and cid in machine[c]
        ]
        m = np.array([p[0] for p in pairs])
        t = np.array([p[1] for p in pairs])
        rho = spearmanr(m, t).statistic if len(set(m.tolist())) > 1 else None
        result[cid] = {
            "calls": len(pairs),
            "spearman": None if rho is None else round(float(rho), 3),
            "exact": round(float(np.mean(m == t)), 3),
            "within_one": round(float(np.mean(np.abs(m - t) <= 1)), 3),
            "machine_levels": {str(k): int(v) for k, v in sorted(Counter(m.tolist()).items())},
            "true_levels": {str(k): int(v) for k, v in sorted(Counter(t.tolist()).items())},
        }
    return result


def zero_shot_levels(store: Store, calls: dict[str, Call]) -> dict[str, dict[str, int]]:
    """Levels from the rubric's text alone (no rated moments, no calibration), stored embeddings."""
    scorer = EmbeddedScorer()
    model = scorer.embedding_model
    assert model is not None
    with store.unit_of_work() as uow:
        stored = uow.rubrics.latest(RUBRIC)
        assert stored is not None
        result: dict[str, dict[str, int]] = {}
        for call_id, call in calls.items():
            pk = uow.scoring_queue.call_pk(call_id)
            assert pk is not None
            vectors = uow.embeddings.load(pk, model, call.content_hash)
            score = scorer.score(ScoringRequest(call, stored.rubric, stored.version, vectors))
            if score.status is ScoreStatus.SCORED:
                result[call_id] = {c.criterion_id: c.level for c in score.criteria if c.level}
    return result


def coaching_detection(
    store: Store, calls: dict[str, Call], truth: dict[str, dict[str, int]]
) -> dict[str, Any]:
    """Each coaching event's verdict from machine levels next to the verdict on true levels."""
    report = build_coaching_report(store, AssessmentQuery(rubric=RUBRIC), as_of=date.today())
    by_rep: dict[str, list[tuple[pd.Timestamp, dict[str, int]]]] = {}
    for call_id, call in calls.items():
        if call.rep and call.date:
            by_rep.setdefault(call.rep, []).append((pd.Timestamp(call.date), truth[call_id]))
    events = []
    for outcome in report.events:
        rows = by_rep.get(outcome.rep, [])
        history = pd.DataFrame(
            {
                "date": [d for d, _ in rows],
                "level": [float(levels[outcome.criterion_id]) for _, levels in rows],
            }
        )
        true_outcome = evaluate_event(
            CoachingEventInput(
                outcome.event_id, outcome.rep, outcome.criterion_id, outcome.coached_on, None
            ),
            history,
            date.today(),
        )
        events.append(
            {
                "rep": outcome.rep,
                "criterion": outcome.criterion_id,
                "coached_on": outcome.coached_on.isoformat(),
                "machine": outcome.status.value,
                "machine_change": None if outcome.change is None else round(outcome.change, 2),
                "truth": true_outcome.status.value,
                "true_change": None
                if true_outcome.change is None
                else round(true_outcome.change, 2),
                "agree": outcome.status is true_outcome.status,
            }
        )
    return {
        "events": events,
        "agreeing": sum(e["agree"] for e in events),
        "improvements_in_truth": sum(e["truth"] == "improved" for e in events),
        "improvements_detected": sum(
            e["truth"] == "improved" and e["machine"] == "improved" for e in events
        ),
        "false_improvements": sum(
            e["truth"] != "improved" and e["machine"] == "improved" for e in events
        ),
    }


def print_comparison(title: str, result: dict[str, Any]) -> None:
    print(f"\n{title}")
    for cid, m in result.items():
        dist = " ".join(f"{k}:{v}" for k, v in m["machine_levels"].items())
        print(
            f"  {cid:20} rho {m['spearman'] if m['spearman'] is not None else '-':>6}  "
            f"exact {m['exact']:.2f}  within one {m['within_one']:.2f}  levels {dist}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--transcripts",
        choices=("auto", "full", "short"),
        default="full",
        help="call length, as `callcoach demo --transcripts` (the default demo: 600 short)",
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    results: dict[str, Any] = {
        "command": "python " + " ".join(["bench/demo_agreement.py", *sys.argv[1:]]),
        "scorer": f"embedded v{EmbeddedScorer.version}",
        "calls_requested": args.calls,
        "transcripts": args.transcripts,
        "seed": args.seed,
        "cpu_count": os.cpu_count(),
        "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
    }
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(f"sqlite:///{tmp}/demo.db")
        database.migrate()
        store = Store(database)
        install_templates(store)
        summary = generate_demo(
            store, DemoOptions(seed=args.seed, calls=args.calls, transcripts=args.transcripts)
        )
        with store.unit_of_work() as uow:
            calls = {
                c.external_id: c
                for c in uow.calls.get_many(uow.calls.external_ids(scope=BENCH), scope=BENCH)
            }
            ratings = uow.scores.ratings(RUBRIC, scope=BENCH)
            stored = uow.rubrics.latest(RUBRIC)
            assert stored is not None
        criteria = list(stored.rubric.criterion_ids)
        truth = {cid: c.meta["demo_truth"]["levels"] for cid, c in calls.items()}
        rated = sorted({r.call_id for r in ratings})
        unrated = sorted(set(calls) - set(rated))
        results["demo"] = {
            "calls": len(calls),
            "segments": sum(len(c.segments) for c in calls.values()),
            "ratings": len(ratings),
            "rated_calls": len(rated),
            "rated_with_segment": sum(r.evidence_segment is not None for r in ratings),
            "generated_in_seconds": summary.seconds,
        }
        print(f"demo: {len(calls)} calls, {len(ratings)} ratings on {len(rated)} calls")

        cpu_before, started = cpu_seconds(), time.perf_counter()
        run = score_calls(store, ScorerConfig("embedded"), rubric_id=RUBRIC, workers=args.workers)
        seconds = time.perf_counter() - started
        results["scoring"] = {
            "calls_scored": run.scored,
            "failures": len(run.failures),
            "workers": run.workers,
            "wall_seconds": round(seconds, 1),
            "calls_per_second": round(run.scored / seconds, 2),
            "cpu_seconds": round(cpu_seconds() - cpu_before, 1),
            "load_average_after": [round(v, 2) for v in os.getloadavg()],
        }
        print(
            f"scored {run.scored} calls in {seconds:.0f} s ({run.scored / seconds:.2f} calls/s, "
            f"{results['scoring']['cpu_seconds']:.0f} CPU s, load {os.getloadavg()[0]:.1f})"
        )
        machine = levels_of(latest_scores(store))
        results["with_rated_moments"] = {
            "unrated_calls": compare(machine, truth, criteria, unrated),
            "all_calls": compare(machine, truth, criteria, sorted(calls)),
        }
        print_comparison(
            f"rubric + the managers' rated moments, {len(unrated)} unrated calls",
            results["with_rated_moments"]["unrated_calls"],
        )
        zero = zero_shot_levels(store, calls)
        results["rubric_text_only"] = {"unrated_calls": compare(zero, truth, criteria, unrated)}
        print_comparison(
            "rubric text alone (no rated moments, no calibration)",
            results["rubric_text_only"]["unrated_calls"],
        )
        results["coaching_before_calibration"] = coaching_detection(store, calls, truth)

        calibration = calibrate(store, RUBRIC)
        results["calibration"] = {
            "ratings": calibration.ratings,
            "calls": calibration.calls,
            "held_out": calibration.report,
            "params": calibration.params,
        }
        before, after = calibration.report["before"], calibration.report["after"]
        print(
            f"\nmachine vs managers, held out ({calibration.ratings} ratings, "
            f"{calibration.calls} calls): exact {before['exact']:.2f} -> {after['exact']:.2f}, "
            f"within one {before['within_one']:.2f} -> {after['within_one']:.2f}, "
            f"QWK {before['qwk']:.2f} -> {after['qwk']:.2f}"
        )
        started = time.perf_counter()
        again = score_calls(
            store, ScorerConfig("embedded"), rubric_id=RUBRIC, rescore=True, workers=args.workers
        )
        results["rescoring_with_calibration"] = {
            "calls": again.scored,
            "wall_seconds": round(time.perf_counter() - started, 1),
            "embeddings_reused": again.embeddings_reused,
        }
        calibrated = levels_of(latest_scores(store))
        results["calibrated"] = {
            "unrated_calls": compare(calibrated, truth, criteria, unrated),
            "all_calls": compare(calibrated, truth, criteria, sorted(calls)),
        }
        print_comparison(
            f"after calibration, {len(unrated)} unrated calls",
            results["calibrated"]["unrated_calls"],
        )
        coaching = coaching_detection(store, calls, truth)
        results["coaching_after_calibration"] = coaching
        print(
            f"\ncoaching: {coaching['agreeing']}/{len(coaching['events'])} event verdicts agree "
            f"with the truth; improvements detected {coaching['improvements_detected']}/"
            f"{coaching['improvements_in_truth']}, false improvements "
            f"{coaching['false_improvements']}"
        )
        for event in coaching["events"]:
            print(
                f"  {event['rep']:18} {event['criterion']:20} machine {event['machine']:13} "
                f"({event['machine_change']})  truth {event['truth']:13} ({event['true_change']})"
            )
        store.close()
    results["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
