"""The demo's review cycle on a small generated demo (scored by the deterministic fake scorer):
packs for the first team, every other rep self-assessed, one review written and its PDF."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from callcoach.scoring.registry import ScorerConfig
from callcoach.services.demo.reviews import demo_review_cycle
from callcoach.services.demo.setup import DemoOptions, generate_demo
from callcoach.services.rubrics.catalog import install_templates
from callcoach.services.scoring.runs import score_calls
from callcoach.settings import Settings
from callcoach.store.uow import Store

pytestmark = pytest.mark.slow


def test_the_demo_prepares_a_review_cycle_and_writes_one_pdf(
    sqlite_store: Store, tmp_path: Path
) -> None:
    install_templates(sqlite_store)
    summary = generate_demo(
        sqlite_store, DemoOptions(calls=400, end=date(2026, 11, 23), transcripts="short")
    )
    score_calls(sqlite_store, ScorerConfig(name="fake"), rubric_id=summary.rubric_id, workers=1)
    cycle = demo_review_cycle(
        sqlite_store, summary, Settings(db=sqlite_store.database.url), "fake", tmp_path
    )
    team = next(t for t in summary.teams if t.name == cycle.team)
    assert len(cycle.preparation.prepared) == team.reps
    assert 0 < len(cycle.self_assessed) < team.reps  # some reps have, some have not yet
    assert cycle.review.summary.rep in cycle.self_assessed and cycle.review.gaps
    assert cycle.draft.check.summary()["flagged"] == 0
    assert cycle.pdf.exists() and cycle.pdf.read_bytes().startswith(b"%PDF")
    assert cycle.pdf.parent == tmp_path.resolve()
