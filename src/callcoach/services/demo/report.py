"""The demo's main job after generation: score every call, learn from the managers' ratings,
and build the reports a manager reads (scorecards, priorities with their moments, coaching).

Each step is an existing use case (score_calls, calibrate, build_assessment,
build_coaching_report, show_call); this module only runs them in order on the demo org, so
`callcoach demo` shows what the product does on a team, end to end.
"""

from __future__ import annotations

from dataclasses import dataclass

from callcoach.demo.summary import DemoSummary
from callcoach.domain.access import Scope
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.assessment.coaching import CoachingReport, build_coaching_report
from callcoach.services.assessment.query import AssessmentQuery
from callcoach.services.assessment.scorecards import AssessmentReport, build_assessment
from callcoach.services.calls.detail import CallDetail, show_call
from callcoach.services.common import NoProgress, Progress, ServiceError
from callcoach.services.demo.practice import PracticeScoring, score_demo_practice
from callcoach.services.scoring.runs import score_calls
from callcoach.services.scoring.summary import ScoringSummary
from callcoach.services.scoring.teaching import CalibrationResult, calibrate
from callcoach.store.uow import Store


@dataclass
class DemoReport:
    """What the demo found, step by step (None: the step did not run, `notes` say why)."""

    scoring: ScoringSummary
    calibration: CalibrationResult | None
    rescoring: ScoringSummary | None
    example: CallDetail | None
    assessment: AssessmentReport
    coaching: CoachingReport
    notes: list[str]
    practice: PracticeScoring | None = None


def _example_call(store: Store, summary: DemoSummary, scorer: str) -> CallDetail | None:
    """The most recent closing call of the demo (the kind of call a manager reviews first)."""
    with store.unit_of_work() as uow:
        demo = Scope.system("the demo: an example call of the organisation it built")
        rows = uow.calls.recent_external_ids(call_type="closing", limit=1, scope=demo) or (
            uow.calls.recent_external_ids(limit=1, scope=demo)
        )
    if not rows:
        return None
    return show_call(store, rows[0], rubric_id=summary.rubric_id, scorer=scorer)


def score_and_report(
    store: Store,
    summary: DemoSummary,
    scorer_config: ScorerConfig,
    *,
    workers: int | None = None,
    learn: bool = True,
    progress: Progress | None = None,
) -> DemoReport:
    """Score every demo call, calibrate on the managers' ratings (`learn`), re-score with the
    calibration (stored embeddings: no re-encoding), then build the reports as of the demo's
    last day."""
    progress = progress or NoProgress()
    notes: list[str] = []
    rubric = summary.rubric_id
    scoring = score_calls(
        store, scorer_config, rubric_id=rubric, workers=workers, progress=progress
    )
    calibration = rescoring = None
    if learn and scorer_config.name == "embedded" and summary.ratings:
        try:
            calibration = calibrate(store, rubric, progress=progress, actor="demo")
        except ServiceError as exc:
            notes.append(f"calibration skipped: {exc}")
        else:
            rescoring = score_calls(
                store,
                scorer_config,
                rubric_id=rubric,
                rescore=True,
                workers=workers,
                progress=progress,
            )
    # The demo's practice attempts were written at a level; the same scorer as real practice
    # now judges them, so the levels the coaching report shows beside real calls are measured.
    practice = score_demo_practice(store, scorer_config, progress=progress)
    query = AssessmentQuery(rubric=rubric, scorer=scoring.scorer)
    assessment = build_assessment(store, query)
    coaching = build_coaching_report(store, query, as_of=summary.end)
    example = _example_call(store, summary, scoring.scorer)
    return DemoReport(
        scoring, calibration, rescoring, example, assessment, coaching, notes, practice
    )
