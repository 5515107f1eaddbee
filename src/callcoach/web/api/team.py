"""REST API: scorecards and coaching priorities (the numbers of the team pages and the CLI)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from callcoach.services.accounts.users import Account
from callcoach.services.assessment.query import AssessmentQuery
from callcoach.services.assessment.scorecards import (
    PrioritiesReport,
    ScorecardReport,
    build_priorities,
    build_scorecards,
)
from callcoach.services.rubrics.governance import rubric_of_team
from callcoach.web.auth import api_account, check_csrf, container_of

router = APIRouter(prefix="/api/v1", tags=["analytics"], dependencies=[Depends(check_csrf)])


def _query(
    request: Request, rubric: str | None, cycle: str | None, rep: str | None, team: str | None
) -> AssessmentQuery:
    container = container_of(request)
    settings = container.settings
    if not rubric and team:
        rubric = rubric_of_team(container.store, team, settings.default_rubric)
    return AssessmentQuery(
        rubric=rubric or settings.default_rubric,
        preferred_scorer=settings.scorer,
        cycle=cycle,
        rep=rep,
        team=team,
    )


@router.get("/scorecards", response_model=ScorecardReport)
def scorecards(
    request: Request,
    rubric: str | None = Query(None, description="Rubric id; default CALLCOACH_DEFAULT_RUBRIC."),
    cycle: str | None = Query(None, description="A quarter such as 2026-Q3; default the latest."),
    rep: str | None = None,
    team: str | None = None,
    account: Account = Depends(api_account),
) -> ScorecardReport:
    """Per-rep scorecards (means with 95% intervals, change, close rate) and team benchmarks."""
    return build_scorecards(
        container_of(request).store, _query(request, rubric, cycle, rep, team), account.viewer
    )


@router.get("/priorities", response_model=PrioritiesReport)
def priorities(
    request: Request,
    rubric: str | None = None,
    cycle: str | None = None,
    rep: str | None = None,
    team: str | None = None,
    account: Account = Depends(api_account),
) -> PrioritiesReport:
    """Each rep's two coaching priorities with their three evidence moments."""
    return build_priorities(
        container_of(request).store, _query(request, rubric, cycle, rep, team), account.viewer
    )
