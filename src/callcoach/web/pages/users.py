"""Pages: users (administrators): add, link to teams or a rep, disable, reset passwords."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from callcoach.domain.access import Role
from callcoach.services.accounts.people import roster
from callcoach.services.accounts.users import (
    Account,
    add_user,
    get_user,
    list_users,
    set_active,
    set_password,
    update_user,
)
from callcoach.services.common import ServiceError
from callcoach.web.auth import check_csrf, container_of, current_session, page_admin
from callcoach.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])


@router.get("/admin/users")
def users_page(request: Request, account: Account = Depends(page_admin)) -> Response:
    return _users(request, account)


def _users(
    request: Request,
    account: Account,
    *,
    message: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    store = container_of(request).store
    teams, reps = roster(store, account.viewer)
    return render(
        request,
        "users.html",
        account,
        status_code=status_code,
        users=list_users(store, account.viewer),
        teams=teams,
        reps=reps,
        message=message,
        error=error,
    )


@router.post("/admin/users")
def create_user(
    request: Request,
    username: str = Form(...),
    role: str = Form(...),
    password: str = Form(...),
    teams: list[str] = Form(default_factory=list),
    rep: str = Form(""),
    email: str = Form(""),
    account: Account = Depends(page_admin),
) -> Response:
    try:
        created = add_user(
            container_of(request).store,
            username,
            role,
            password,
            teams=teams if role == "manager" else [],
            rep=rep or None if role == "rep" else None,
            email=email or None,
            actor=account.viewer,
        )
    except ServiceError as exc:
        return _users(request, account, error=str(exc), status_code=400)
    return _users(request, account, message=f"Created {created.role.value} {created.username}.")


@router.post("/admin/users/{username}/links")
def edit_links(
    request: Request,
    username: str,
    teams: list[str] = Form(default_factory=list),
    rep: str = Form(""),
    account: Account = Depends(page_admin),
) -> Response:
    """A manager's teams, or the roster rep a rep account is (audited as user.update)."""
    store = container_of(request).store
    user = get_user(store, username, account.viewer)
    try:
        if user.role is Role.MANAGER:
            changed = update_user(store, username, teams=teams, actor=account.viewer)
        elif user.role is Role.REP:
            changed = update_user(store, username, rep=rep.strip(), actor=account.viewer)
        else:
            raise ServiceError("an administrator sees everything: it has no teams or rep to link")
    except ServiceError as exc:
        return _users(request, account, error=str(exc), status_code=400)
    return _users(request, account, message=f"{changed.username} now sees {changed.scope}.")


@router.post("/admin/users/{username}/active")
def toggle_user(
    request: Request,
    username: str,
    active: str = Form(...),
    account: Account = Depends(page_admin),
) -> Response:
    try:
        changed = set_active(container_of(request).store, username, active == "1", account.viewer)
    except ServiceError as exc:
        return _users(request, account, error=str(exc), status_code=400)
    if changed.active:
        return _users(request, account, message=f"{changed.username} enabled.")
    return _users(
        request,
        account,
        message=f"{changed.username} disabled: their sessions ended and their API tokens "
        "were revoked.",
    )


@router.post("/admin/users/{username}/password")
def reset_password(
    request: Request,
    username: str,
    password: str = Form(...),
    account: Account = Depends(page_admin),
) -> Response:
    live = current_session(request)
    own = username.strip().lower() == account.username.lower()
    try:
        set_password(
            container_of(request).store,
            username,
            password,
            actor=account.viewer,
            keep_session=live.id if live and own else None,
        )
    except ServiceError as exc:
        return _users(request, account, error=str(exc), status_code=400)
    return _users(request, account, message=f"Password of {username} set; their sessions end.")
