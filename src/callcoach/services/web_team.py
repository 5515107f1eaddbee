"""What the team pages show, assembled from the assessment services (same numbers as the CLI).

The dashboard is one cycle's scorecards and priorities for the teams the viewer may see; a rep's
page adds the trend over the previous cycles and the 30-day results of their coaching.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from callcoach.analytics.coaching import CoachingOutcome
from callcoach.analytics.cycles import parse_cycle
from callcoach.analytics.scorecards import RepScorecard, TeamBenchmark
from callcoach.domain.access import SYSTEM, Role, Viewer
from callcoach.domain.rubric import Rubric
from callcoach.services.assessment import AssessmentQuery
from callcoach.services.assessment_agreement import AgreementReport, build_agreement
from callcoach.services.assessment_coaching import build_coaching_report
from callcoach.services.assessment_outcomes import OutcomesReport, build_outcomes
from callcoach.services.assessment_scorecards import (
    RepPriorities,
    ScorecardReport,
    build_priorities,
    build_scorecards,
)
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.services.rubrics import get_rubric, list_rubrics
from callcoach.services.web_people import roster, visible_rep
from callcoach.store.uow import Store

CYCLE_CHOICES = 6  # the selector offers the current quarter and the five before it
TREND_CYCLES = 4


@dataclass
class Selection:
    """What the pages' selectors offer and what is chosen."""

    rubric: str
    rubrics: list[str]
    cycle: str | None
    cycles: list[str]
    team: str | None = None
    teams: list[str] = field(default_factory=list)


@dataclass
class DashboardView:
    selection: Selection
    scorecards: ScorecardReport | None
    priorities: dict[str, RepPriorities]
    rubric: Rubric
    empty_reason: str | None = None


@dataclass
class TrendPoint:
    cycle: str
    calls: int
    overall: float | None
    criteria: dict[str, float | None]


@dataclass
class RepView:
    rep: str
    team: str | None
    selection: Selection
    rubric: Rubric
    scorecard: RepScorecard | None
    benchmark: TeamBenchmark | None
    priorities: RepPriorities | None
    trend: list[TrendPoint]
    coaching: list[CoachingOutcome]
    notes: list[str]
    empty_reason: str | None = None


def _cycles_back(label: str, count: int) -> list[str]:
    cycle = parse_cycle(label)
    labels = []
    for _ in range(count):
        labels.append(cycle.label)
        cycle = cycle.previous()
    return labels


def _selection(
    store: Store, viewer: Viewer, rubric: str | None, default_rubric: str, team: str | None
) -> Selection:
    names = [s.rubric.id for s, _ in list_rubrics(store)]
    chosen = rubric or (default_rubric if default_rubric in names else (names[0] if names else ""))
    if not chosen:
        raise ServiceError("no rubric yet: `callcoach init` adds the templates")
    if viewer.role is Role.ADMIN:
        team_names = [t.name for t in roster(store, viewer)[0]]
    else:
        team_names = sorted(viewer.teams)
    return Selection(
        rubric=chosen,
        rubrics=names,
        cycle=None,
        cycles=[],
        team=team,
        teams=team_names,
    )


def team_dashboard(
    store: Store,
    viewer: Viewer = SYSTEM,
    *,
    rubric: str | None = None,
    cycle: str | None = None,
    team: str | None = None,
    default_rubric: str = "one-call-close",
) -> DashboardView:
    selection = _selection(store, viewer, rubric, default_rubric, team)
    stored = get_rubric(store, selection.rubric)
    query = AssessmentQuery(rubric=selection.rubric, cycle=cycle or None, team=team or None)
    try:
        cards = build_scorecards(store, query, viewer)
        priorities = build_priorities(store, query, viewer)
    except NotFoundError:
        raise
    except ServiceError as exc:
        selection.cycle = cycle
        return DashboardView(selection, None, {}, stored.rubric, empty_reason=str(exc))
    selection.cycle = cards.cycle.label
    selection.cycles = _cycles_back(cards.cycle.label, CYCLE_CHOICES)
    return DashboardView(
        selection,
        cards,
        {p.rep: p for p in priorities.reps},
        stored.rubric,
    )


def _trend(
    store: Store, viewer: Viewer, rubric: str, rep: str, labels: list[str]
) -> list[TrendPoint]:
    points = []
    for label in reversed(labels):
        report = build_scorecards(
            store, AssessmentQuery(rubric=rubric, cycle=label, rep=rep), viewer
        )
        card = next((c for c in report.reps if c.rep == rep), None)
        points.append(
            TrendPoint(
                cycle=label,
                calls=card.calls if card else 0,
                overall=card.overall if card else None,
                criteria={c.criterion_id: c.mean for c in card.criteria} if card else {},
            )
        )
    return points


def rep_view(
    store: Store,
    rep: str,
    viewer: Viewer = SYSTEM,
    *,
    rubric: str | None = None,
    cycle: str | None = None,
    default_rubric: str = "one-call-close",
    as_of: date | None = None,
) -> RepView:
    """A rep's scorecard: the rep must be visible to the viewer (else NotFoundError)."""
    person = visible_rep(store, rep, viewer)
    selection = _selection(store, viewer, rubric, default_rubric, None)
    stored = get_rubric(store, selection.rubric)
    query = AssessmentQuery(rubric=selection.rubric, cycle=cycle or None, rep=person.name)
    try:
        cards = build_scorecards(store, query, viewer)
        priorities = build_priorities(store, query, viewer)
    except NotFoundError:
        raise
    except ServiceError as exc:
        return RepView(
            person.name,
            person.team,
            selection,
            stored.rubric,
            None,
            None,
            None,
            [],
            [],
            [],
            empty_reason=str(exc),
        )
    selection.cycle = cards.cycle.label
    selection.cycles = _cycles_back(cards.cycle.label, CYCLE_CHOICES)
    card = next((c for c in cards.reps if c.rep == person.name), None)
    benchmark = next((b for b in cards.teams if b.team == person.team), None)
    trend = _trend(store, viewer, selection.rubric, person.name, selection.cycles[:TREND_CYCLES])
    coaching_report = build_coaching_report(
        store, AssessmentQuery(rubric=selection.rubric, rep=person.name), as_of, viewer
    )
    return RepView(
        rep=person.name,
        team=person.team,
        selection=selection,
        rubric=stored.rubric,
        scorecard=card,
        benchmark=benchmark,
        priorities=next((p for p in priorities.reps if p.rep == person.name), None),
        trend=trend,
        coaching=[e for e in coaching_report.events if e.rep == person.name],
        notes=cards.notes + coaching_report.notes,
    )


def agreement_view(
    store: Store,
    viewer: Viewer = SYSTEM,
    *,
    rubric: str | None = None,
    team: str | None = None,
    default_rubric: str = "one-call-close",
) -> tuple[Selection, AgreementReport | None, str | None]:
    selection = _selection(store, viewer, rubric, default_rubric, team)
    try:
        report = build_agreement(
            store, AssessmentQuery(rubric=selection.rubric, team=team or None), viewer
        )
    except NotFoundError:
        raise
    except ServiceError as exc:
        return selection, None, str(exc)
    return selection, report, None


def outcomes_view(
    store: Store,
    viewer: Viewer = SYSTEM,
    *,
    rubric: str | None = None,
    cycle: str | None = None,
    team: str | None = None,
    default_rubric: str = "one-call-close",
) -> tuple[Selection, OutcomesReport | None, str | None]:
    selection = _selection(store, viewer, rubric, default_rubric, team)
    query = AssessmentQuery(rubric=selection.rubric, cycle=cycle or None, team=team or None)
    try:
        report = build_outcomes(store, query, viewer)
    except NotFoundError:
        raise
    except ServiceError as exc:
        selection.cycle = cycle
        return selection, None, str(exc)
    selection.cycle = report.cycle.label
    selection.cycles = _cycles_back(report.cycle.label, CYCLE_CHOICES)
    return selection, report, None
