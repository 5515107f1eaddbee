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
from callcoach.analytics.trends import TrendPoint
from callcoach.domain.access import SYSTEM, Role, Viewer
from callcoach.domain.rubric import Rubric
from callcoach.domain.trust import CriterionTrust
from callcoach.services.accounts.people import visible_rep
from callcoach.services.assessment.agreement import AgreementReport, build_agreement
from callcoach.services.assessment.outcomes import OutcomesReport, build_outcomes
from callcoach.services.assessment.query import AssessmentQuery
from callcoach.services.assessment.rep import TREND_CYCLES, build_rep_assessment
from callcoach.services.assessment.scorecards import (
    RepPriorities,
    ScorecardReport,
    build_assessment,
)
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.services.rubrics.catalog import get_rubric, list_rubrics
from callcoach.services.rubrics.governance import TeamRubric, team_rubrics
from callcoach.store.uow import Store

CYCLE_CHOICES = 6  # the selector offers the current quarter and the five before it


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
    rubric_version: int | None = None
    team_rubrics: list[TeamRubric] = field(default_factory=list)  # each team's rubric


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
    rubric_version: int | None = None
    trust: dict[str, CriterionTrust] = field(default_factory=dict)


def _cycles_back(label: str, count: int) -> list[str]:
    cycle = parse_cycle(label)
    labels = []
    for _ in range(count):
        labels.append(cycle.label)
        cycle = cycle.previous()
    return labels


def _team_rubric(store: Store, viewer: Viewer, default_rubric: str, team: str | None) -> str | None:
    """The rubric a page about `team` (or a manager's one team, or a rep's team) reports on."""
    every = {t.team: t.rubric_id for t in team_rubrics(store, viewer, default_rubric)}
    if team is not None:
        return every.get(team)
    own = sorted(viewer.teams) if viewer.role is Role.MANAGER else sorted(every)
    if viewer.role is not Role.ADMIN and len(own) == 1:
        return every.get(own[0])
    return None


def _selection(
    store: Store,
    viewer: Viewer,
    rubric: str | None,
    default_rubric: str,
    team: str | None,
    rep_team: str | None = None,
) -> Selection:
    """The rubric asked for, else the team's (its assigned rubric, else the default)."""
    names = [s.rubric.id for s, _ in list_rubrics(store)]
    chosen = rubric or _team_rubric(store, viewer, default_rubric, team or rep_team)
    if chosen not in names:
        chosen = default_rubric if default_rubric in names else (names[0] if names else "")
    if not chosen:
        raise ServiceError("no rubric yet: `callcoach init` adds the templates")
    if viewer.role is Role.ADMIN:
        with store.unit_of_work() as uow:
            team_names = [t.name for t in uow.people.teams(scope=uow.people.scope_for(viewer))]
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
    preferred_scorer: str = "embedded",
) -> DashboardView:
    selection = _selection(store, viewer, rubric, default_rubric, team)
    stored = get_rubric(store, selection.rubric)
    query = AssessmentQuery(
        rubric=selection.rubric,
        cycle=cycle or None,
        team=team or None,
        preferred_scorer=preferred_scorer,
    )
    try:
        assessment = build_assessment(store, query, viewer)
        cards, priorities = assessment.scorecards, assessment.priorities
    except NotFoundError:
        raise
    except ServiceError as exc:
        selection.cycle = cycle
        return DashboardView(
            selection,
            None,
            {},
            stored.rubric,
            empty_reason=str(exc),
            rubric_version=stored.version,
            team_rubrics=team_rubrics(store, viewer, default_rubric),
        )
    selection.cycle = cards.cycle.label
    selection.cycles = _cycles_back(cards.cycle.label, CYCLE_CHOICES)
    return DashboardView(
        selection,
        cards,
        {p.rep: p for p in priorities.reps},
        stored.rubric,
        rubric_version=stored.version,
        team_rubrics=team_rubrics(store, viewer, default_rubric),
    )


def rep_view(
    store: Store,
    rep: str,
    viewer: Viewer = SYSTEM,
    *,
    rubric: str | None = None,
    cycle: str | None = None,
    default_rubric: str = "one-call-close",
    preferred_scorer: str = "embedded",
    as_of: date | None = None,
) -> RepView:
    """A rep's scorecard: the rep must be visible to the viewer (else NotFoundError)."""
    person = visible_rep(store, rep, viewer)
    selection = _selection(store, viewer, rubric, default_rubric, None, rep_team=person.team)
    stored = get_rubric(store, selection.rubric)
    query = AssessmentQuery(
        rubric=selection.rubric,
        cycle=cycle or None,
        rep=person.name,
        preferred_scorer=preferred_scorer,
    )
    try:
        assessment = build_rep_assessment(store, query, viewer, trend=TREND_CYCLES, as_of=as_of)
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
            rubric_version=stored.version,
        )
    cards, priorities = assessment.scorecards, assessment.priorities
    selection.cycle = cards.cycle.label
    selection.cycles = _cycles_back(cards.cycle.label, CYCLE_CHOICES)
    return RepView(
        rep=person.name,
        team=person.team,
        selection=selection,
        rubric=stored.rubric,
        scorecard=next((c for c in cards.reps if c.rep == person.name), None),
        benchmark=next((b for b in cards.teams if b.team == person.team), None),
        priorities=next((p for p in priorities.reps if p.rep == person.name), None),
        trend=assessment.trend,
        coaching=[e for e in assessment.coaching.events if e.rep == person.name],
        notes=cards.notes + assessment.coaching.notes,
        rubric_version=stored.version,
        trust=cards.trust,
    )


def agreement_view(
    store: Store,
    viewer: Viewer = SYSTEM,
    *,
    rubric: str | None = None,
    team: str | None = None,
    default_rubric: str = "one-call-close",
    preferred_scorer: str = "embedded",
) -> tuple[Selection, AgreementReport | None, str | None]:
    selection = _selection(store, viewer, rubric, default_rubric, team)
    query = AssessmentQuery(
        rubric=selection.rubric, team=team or None, preferred_scorer=preferred_scorer
    )
    try:
        report = build_agreement(store, query, viewer)
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
    preferred_scorer: str = "embedded",
) -> tuple[Selection, OutcomesReport | None, str | None]:
    selection = _selection(store, viewer, rubric, default_rubric, team)
    query = AssessmentQuery(
        rubric=selection.rubric,
        cycle=cycle or None,
        team=team or None,
        preferred_scorer=preferred_scorer,
    )
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
