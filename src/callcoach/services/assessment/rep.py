"""One rep's assessment for their page: scorecard, team benchmark, priorities, trend, coaching.

What `build_scorecards` and `build_priorities` give for the rep (and `build_scorecards` of
each earlier cycle for the trend, `build_coaching_report` for their coaching), from two reads of
the levels in one unit of work: the rep's team in the cycle and the one before (team means,
benchmark and priorities need them all) and every scored call of the rep (the trend and the
30-day coaching results). Building whole-team reports once per trend cycle cost seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from callcoach.analytics.cycles import Cycle
from callcoach.analytics.trends import TrendPoint, rep_trend
from callcoach.domain.access import SYSTEM, Viewer
from callcoach.services.assessment.coaching import CoachingReport, coaching_report
from callcoach.services.assessment.query import (
    AssessmentQuery,
    load_score_table,
    resolve_scope,
    split_by_date,
)
from callcoach.services.assessment.scorecards import (
    PrioritiesReport,
    ScorecardReport,
    priorities_report,
    scorecard_report,
)
from callcoach.store.uow import Store

TREND_CYCLES = 4  # the cycle shown and the three before it


@dataclass
class RepAssessment:
    scorecards: ScorecardReport  # the rep's scorecard and their team's benchmark
    priorities: PrioritiesReport
    trend: list[TrendPoint]  # oldest cycle first
    coaching: CoachingReport


def trend_cycles(cycle: Cycle, count: int = TREND_CYCLES) -> list[Cycle]:
    """`cycle` and the `count - 1` cycles before it, oldest first."""
    cycles = [cycle]
    while len(cycles) < count:
        cycles.append(cycles[-1].previous())
    return cycles[::-1]


def build_rep_assessment(
    store: Store,
    query: AssessmentQuery,
    viewer: Viewer = SYSTEM,
    *,
    trend: int = TREND_CYCLES,
    as_of: date | None = None,
    limit: int = 2,
) -> RepAssessment:
    """The assessment of `query.rep` (who must be visible to `viewer`, else NotFoundError)."""
    if not query.rep:
        raise ValueError("build_rep_assessment needs a rep")
    with store.unit_of_work() as uow:
        scope = resolve_scope(uow, query, viewer)
        rep_pk = scope.selected[0]
        previous_start, _ = scope.cycle.previous().bounds()
        boundary, end = scope.cycle.bounds()
        # The team's two cycles, as `build_scorecards` reads them, and every scored call of
        # the rep.
        team = load_score_table(uow, scope, previous_start, end)
        before, team_now = split_by_date(team, boundary)
        history = load_score_table(uow, scope, None, None, rep_ids=[rep_pk])
        scorecards = scorecard_report(uow, scope, team_now, before)
        priorities = priorities_report(uow, scope, team_now, limit)
        coaching = coaching_report(uow, scope, as_of, levels=history)
    return RepAssessment(
        scorecards=scorecards,
        priorities=priorities,
        trend=rep_trend(history, rep_pk, trend_cycles(scope.cycle, trend)),
        coaching=coaching,
    )
