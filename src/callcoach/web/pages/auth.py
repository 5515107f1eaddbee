"""Sign in, sign out, and the account page (password, personal API tokens)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from callcoach.domain.access import Role
from callcoach.services.accounts.users import (
    Account,
    AuthenticationError,
    LoginThrottledError,
    authenticate,
    create_token,
    list_tokens,
    revoke_token,
    set_password,
)
from callcoach.services.common import ServiceError
from callcoach.web.auth import (
    check_csrf,
    container_of,
    end_session,
    page_account,
    session_account,
    start_session,
)
from callcoach.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would help phishing."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def home_of(account: Account) -> str:
    return "/me" if account.role is Role.REP else "/"


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    account = session_account(request)
    if account is not None:
        return RedirectResponse(_safe_next(next) if next else home_of(account), status_code=303)
    return render(request, "login.html", None, next=_safe_next(next), error=None, username="")


@router.post("/login")
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
) -> Response:
    client = request.client.host if request.client else None
    try:
        account = authenticate(container_of(request).store, username, password, client)
    except LoginThrottledError as exc:
        response = render(
            request,
            "login.html",
            None,
            status_code=429,
            next=_safe_next(next),
            error=str(exc),
            username=username,
        )
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    except AuthenticationError as exc:
        return render(
            request,
            "login.html",
            None,
            status_code=401,
            next=_safe_next(next),
            error=str(exc),
            username=username,
        )
    start_session(request, account)
    target = _safe_next(next)
    return RedirectResponse(home_of(account) if target == "/" else target, status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    end_session(request)
    return RedirectResponse("/login", status_code=303)


def _account_page(
    request: Request,
    account: Account,
    *,
    message: str | None = None,
    error: str | None = None,
    new_token: str | None = None,
    status_code: int = 200,
) -> Response:
    tokens = list_tokens(container_of(request).store, account.username, account.viewer)
    return render(
        request,
        "account.html",
        account,
        status_code=status_code,
        tokens=tokens,
        message=message,
        error=error,
        new_token=new_token,
    )


@router.get("/account")
def account_page(request: Request, account: Account = Depends(page_account)) -> Response:
    return _account_page(request, account)


@router.post("/account/password")
def change_password(
    request: Request,
    current_password: str = Form(""),
    new_password: str = Form(""),
    confirm_password: str = Form(""),
    account: Account = Depends(page_account),
) -> Response:
    store = container_of(request).store
    if new_password != confirm_password:
        return _account_page(
            request, account, error="the two new passwords differ", status_code=400
        )
    try:
        set_password(
            store,
            account.username,
            new_password,
            current_password=current_password,
            actor=account.viewer,
        )
    except ServiceError as exc:
        return _account_page(request, account, error=str(exc), status_code=400)
    # The stamp changed with the password: keep this session, the others are signed out.
    from callcoach.services.accounts.users import get_user

    start_session(request, get_user(store, account.username, account.viewer))
    return _account_page(
        request, account, message="Password changed. Other sessions are signed out."
    )


@router.post("/account/tokens")
def new_token(
    request: Request, name: str = Form("api"), account: Account = Depends(page_account)
) -> Response:
    _, token = create_token(container_of(request).store, account.username, name, account.viewer)
    return _account_page(request, account, new_token=token)


@router.post("/account/tokens/{token_id}/revoke")
def revoke(request: Request, token_id: int, account: Account = Depends(page_account)) -> Response:
    revoke_token(container_of(request).store, account.username, str(token_id), account.viewer)
    return _account_page(request, account, message=f"Token {token_id} revoked.")
