"""A scoring run in a process of its own, for the signal tests (tests/e2e/test_scoring_signals.py).

    python -m tests.e2e.scoring_child DB_URL PID_DIR

Scores every call with two worker processes whose scorer is slow (each worker writes its pid to
PID_DIR when it starts scoring), then prints the run's summary as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from callcoach.domain.scores import CallScore
from callcoach.scoring.base import Scorer, ScoringRequest
from callcoach.scoring.fake import FakeScorer
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.scoring.runs import score_calls
from callcoach.store.uow import Store


class SlowScorer(FakeScorer):
    def __init__(self, pid_dir: str) -> None:
        self.pid_dir = Path(pid_dir)

    def score(self, request: ScoringRequest) -> CallScore:
        (self.pid_dir / str(os.getpid())).touch()
        time.sleep(0.5)
        return super().score(request)


def build_slow(config: ScorerConfig) -> Scorer:
    return SlowScorer(str(config.options["pid_dir"]))


def main() -> None:
    url, pid_dir = sys.argv[1], sys.argv[2]
    store = Store.from_url(url)
    summary = score_calls(
        store,
        ScorerConfig("fake", {"pid_dir": pid_dir}),
        rubric_id="one-call-close",
        workers=2,
        build=build_slow,
    )
    print(json.dumps(summary.to_dict()), flush=True)


if __name__ == "__main__":
    main()
