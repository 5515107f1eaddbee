"""What running scoring as a job costs: the same re-score run directly and as a job, as a ratio.

    .venv/bin/python bench/jobs_overhead.py [--calls 600] [--rounds 3] [--db URL]

On a fresh database (a temporary SQLite file unless --db), `--calls` small calls are imported,
then re-scored with the fake scorer in this process (one process: the cheapest scoring there
is, so the job's bookkeeping weighs the most it can), alternately

- directly: `services.scoring.runs.score_calls(rescore=True)`, as `callcoach score` did before
  jobs;
- as a job: the same request through the in-process queue (`InProcessQueue.run_here`), as
  `callcoach score` does now: a job row claimed, progress written at most twice a second, a
  heartbeat thread, the outcome recorded.

Rounds alternate so both see the same machine load. Prints the median seconds of each and the
ratio (job / direct). Results: bench/results/jobs_overhead.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.e2e.job_helpers import conversations  # noqa: E402

from callcoach.bootstrap import bootstrap, inprocess_queue  # noqa: E402
from callcoach.services.imports.transcripts import import_calls  # noqa: E402
from callcoach.services.jobs.scoring import scoring_request  # noqa: E402
from callcoach.services.rubrics.catalog import install_templates  # noqa: E402
from callcoach.services.scoring.runs import score_calls  # noqa: E402
from callcoach.settings import Settings  # noqa: E402

RUBRIC = "one-call-close"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", default=None)
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "jobs_overhead.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or str(Path(folder) / "bench.db")
        settings = Settings(db=db, scorer="fake", workers=1, score_after_import=False)
        container = bootstrap(settings, require_current=False)
        container.store.migrate()
        install_templates(container.store)
        import_calls(container.store, [conversations(Path(folder) / "calls.jsonl", args.calls)])
        config = container.scorer_config("fake")
        queue = inprocess_queue(container)
        direct, as_job = [], []
        for _ in range(args.rounds):
            started = time.perf_counter()
            summary = score_calls(
                container.store, config, rubric_id=RUBRIC, rescore=True, workers=1
            )
            direct.append(time.perf_counter() - started)
            assert summary.scored == args.calls, summary.to_dict()
            started = time.perf_counter()
            outcome = queue.run_here(
                scoring_request(rubric=RUBRIC, scorer="fake", rescore=True, workers=1)
            )
            as_job.append(time.perf_counter() - started)
            assert outcome.result and outcome.result["scored"] == args.calls, outcome
        container.close()
    result = {
        "command": " ".join(["bench/jobs_overhead.py", *sys.argv[1:]]),
        "measured_at": datetime.now().isoformat(timespec="seconds"),
        "calls": args.calls,
        "rounds": args.rounds,
        "database": "sqlite" if args.db is None else "given",
        "direct_median_s": round(statistics.median(direct), 3),
        "job_median_s": round(statistics.median(as_job), 3),
        "ratio_job_over_direct": round(statistics.median(as_job) / statistics.median(direct), 3),
        "direct_s": [round(x, 3) for x in direct],
        "job_s": [round(x, 3) for x in as_job],
        "load_average": list(os.getloadavg()),
    }
    print(json.dumps(result, indent=2))
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
