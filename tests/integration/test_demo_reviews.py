"""The demo's review cycle on a small generated demo (scored by the deterministic fake scorer):
packs for the first team, every other rep self-assessed, one review written and its PDF; and,
on the same demo, its practice history as the assignments and the coaching report show it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from callcoach.analytics.coaching import CoachingStatus
from callcoach.domain.assignments import AssignmentStatus
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.assessment.coaching import build_coaching_report
from callcoach.services.assessment.query import AssessmentQuery
from callcoach.services.assignments.assign import assignments_of
from callcoach.services.demo.practice import GENERATOR_SCORER
from callcoach.services.demo.reviews import demo_review_cycle
from callcoach.services.demo.setup import DemoOptions, generate_demo
from callcoach.services.practice.sessions import list_sessions, show_session
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

    # The practice history (issue 17 section 4): every practising rep's assignment is done, and
    # the 30-day coaching report shows their practice beside the change on their real calls.
    practised = {(p.rep, p.criterion) for p in summary.practice}
    truth = {line.rep: line for line in summary.skills}
    assert practised and all(truth[rep].practised == crit for rep, crit in practised)
    carried = {truth[rep].practice_carried_over for rep, _ in practised}
    assert carried == {True, False}, "some practice carried over, some did not"
    assigned = assignments_of(sqlite_store, today=summary.end)
    assert {(a.assignment.rep, a.assignment.target) for a in assigned} == practised
    assert all(a.status is AssignmentStatus.DONE and a.best_level for a in assigned)
    report = build_coaching_report(
        sqlite_store, AssessmentQuery(rubric=summary.rubric_id, scorer="fake"), as_of=summary.end
    )
    assert {(c.rep, c.criterion_id) for c in report.practice} == practised
    for line in report.practice:
        assert line.sessions == 3 and line.attempts >= 3 and line.best_level is not None
        assert line.real.status in (CoachingStatus.IMPROVED, CoachingStatus.NOT_IMPROVED)
        assert line.real.before_calls == line.real.after_calls == 10
    session = show_session(sqlite_store, list_sessions(sqlite_store)[0].id)
    attempt = session.attempts[0]
    assert attempt.score is not None and attempt.score.scorer == GENERATOR_SCORER
    assert attempt.practitioner_turns and attempt.score.evidence
