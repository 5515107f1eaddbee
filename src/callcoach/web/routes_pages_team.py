"""Pages: the team dashboard, a rep's scorecard, agreement and outcomes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from callcoach.domain.access import Role
from callcoach.services.accounts import Account
from callcoach.services.web_people import roster, visible_rep
from callcoach.web.auth import check_csrf, container_of, page_account
from callcoach.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])


@router.get("/")
def dashboard(request: Request, account: Account = Depends(page_account)) -> Response:
    if account.role is Role.REP:
        return RedirectResponse("/me", status_code=303)
    teams, reps = roster(container_of(request).store, account.viewer)
    return render(request, "dashboard.html", account, teams=teams, reps=reps)


@router.get("/me")
def my_scorecard(request: Request, account: Account = Depends(page_account)) -> Response:
    if account.rep is None:
        return RedirectResponse("/", status_code=303)
    return rep_page(request, account.rep, account)


@router.get("/reps/{name}")
def rep_page(request: Request, name: str, account: Account = Depends(page_account)) -> Response:
    rep = visible_rep(container_of(request).store, name, account.viewer)
    return render(request, "rep.html", account, rep=rep)
