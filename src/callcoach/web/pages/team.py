"""Pages: the team dashboard, a rep's scorecard, agreement and outcomes."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import TypeAdapter

from callcoach.domain.access import Role
from callcoach.services.accounts.users import Account
from callcoach.services.assessment.coaching import add_coaching_event
from callcoach.services.assessment.team import (
    DashboardView,
    RepView,
    agreement_view,
    outcomes_view,
    rep_view,
    team_dashboard,
)
from callcoach.services.reviews.views import review_cycles
from callcoach.web import charts
from callcoach.web.auth import check_csrf, container_of, page_account
from callcoach.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
T = TypeVar("T")


def _default_rubric(request: Request) -> str:
    return container_of(request).settings.default_rubric


@cache
def _adapter(kind: type[T]) -> TypeAdapter[T]:
    """How a page's report travels to the other server processes (JSON, built once)."""
    return TypeAdapter(kind)


def _preferred_scorer(request: Request) -> str:
    """CALLCOACH_SCORER: the scorer whose levels the reports prefer, as on the command line."""
    return container_of(request).settings.scorer


@router.get("/")
def dashboard(
    request: Request,
    rubric: str | None = None,
    cycle: str | None = None,
    team: str | None = None,
    account: Account = Depends(page_account),
) -> Response:
    if account.role is Role.REP:
        return RedirectResponse("/me", status_code=303)
    store = container_of(request).store
    view = request.app.state.report_cache.get_or_build(
        store,
        account.viewer,
        ("dashboard", rubric, cycle, team),
        lambda: team_dashboard(
            store,
            account.viewer,
            rubric=rubric,
            cycle=cycle,
            team=team,
            default_rubric=_default_rubric(request),
            preferred_scorer=_preferred_scorer(request),
        ),
        _adapter(DashboardView),
    )
    heatmap = None
    if view.scorecards is not None and view.scorecards.reps:
        heatmap = charts.team_heatmap(
            view.rubric, view.scorecards.reps, view.scorecards.teams, view.scorecards.trust
        )
    cycles = review_cycles(store, account.viewer, view.selection.team, view.selection.teams)
    return render(
        request, "dashboard.html", account, view=view, heatmap=heatmap, review_cycles=cycles
    )


@router.get("/me")
def my_scorecard(
    request: Request,
    rubric: str | None = None,
    cycle: str | None = None,
    account: Account = Depends(page_account),
) -> Response:
    if account.rep is None:
        return RedirectResponse("/", status_code=303)
    return _rep_page(request, account.rep, account, rubric, cycle)


@router.get("/reps/{name}")
def rep_page(
    request: Request,
    name: str,
    rubric: str | None = None,
    cycle: str | None = None,
    account: Account = Depends(page_account),
) -> Response:
    return _rep_page(request, name, account, rubric, cycle)


def _rep_page(
    request: Request, name: str, account: Account, rubric: str | None, cycle: str | None
) -> Response:
    store = container_of(request).store
    view = request.app.state.report_cache.get_or_build(
        store,
        account.viewer,
        ("rep", name.strip().lower(), rubric, cycle, date.today()),
        lambda: rep_view(
            store,
            name,
            account.viewer,
            rubric=rubric,
            cycle=cycle,
            default_rubric=_default_rubric(request),
            preferred_scorer=_preferred_scorer(request),
        ),
        _adapter(RepView),
    )
    intervals = charts.scorecard_intervals(view.scorecard) if view.scorecard else None
    trend = charts.trend_lines(view.rubric, view.trend) if view.trend else None
    return render(
        request,
        "rep.html",
        account,
        view=view,
        intervals=intervals,
        trend=trend,
        can_coach=account.role is not Role.REP,
        today=date.today().isoformat(),
    )


@router.post("/reps/{name}/coaching")
def record_coaching(
    request: Request,
    name: str,
    rubric_id: str = Form(...),
    criterion_id: str = Form(...),
    coached_on: date = Form(...),
    note: str = Form(""),
    account: Account = Depends(page_account),
) -> Response:
    add_coaching_event(
        container_of(request).store,
        rubric_id,
        name,
        criterion_id,
        coached_on,
        note=note.strip() or None,
        coach=account.username,
        viewer=account.viewer,
    )
    return RedirectResponse(
        f"/reps/{quote(name)}?rubric={quote(rubric_id)}#coaching", status_code=303
    )


@router.get("/agreement")
def agreement_page(
    request: Request,
    rubric: str | None = None,
    team: str | None = None,
    account: Account = Depends(page_account),
) -> Response:
    selection, report, empty = agreement_view(
        container_of(request).store,
        account.viewer,
        rubric=rubric,
        team=team,
        default_rubric=_default_rubric(request),
        preferred_scorer=_preferred_scorer(request),
    )
    figures = []
    if report is not None:
        if report.human:
            figures.append(
                charts.agreement_bars(report.human, report.target_within_one, "Manager vs manager")
            )
        for comparison in report.machine:
            figures.append(
                charts.agreement_bars(
                    comparison.criteria, report.target_within_one, f"Machine vs {comparison.rater}"
                )
            )
    return render(
        request,
        "agreement.html",
        account,
        selection=selection,
        report=report,
        empty=empty,
        figures=figures,
    )


@router.get("/outcomes")
def outcomes_page(
    request: Request,
    rubric: str | None = None,
    cycle: str | None = None,
    team: str | None = None,
    account: Account = Depends(page_account),
) -> Response:
    selection, report, empty = outcomes_view(
        container_of(request).store,
        account.viewer,
        rubric=rubric,
        cycle=cycle,
        team=team,
        default_rubric=_default_rubric(request),
        preferred_scorer=_preferred_scorer(request),
    )
    figure = charts.outcome_relations(report) if report and report.criteria else None
    return render(
        request,
        "outcomes.html",
        account,
        selection=selection,
        report=report,
        empty=empty,
        figure=figure,
    )
