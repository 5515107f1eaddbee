"""Sign in, sign out, and the account page (password, sessions, personal API tokens)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from callcoach.domain.access import Role
from callcoach.services.accounts.sessions import (
    end_all_sessions,
    end_one_session,
    list_sessions,
)
from callcoach.services.accounts.tokens import (
    create_token,
    expiry_label,
    list_tokens,
    parse_expiry,
    revoke_token,
)
from callcoach.services.accounts.users import (
    Account,
    AuthenticationError,
    LoginThrottledError,
    authenticate,
    set_password,
)
from callcoach.services.common import ServiceError
from callcoach.web.auth import (
    check_csrf,
    container_of,
    current_session,
    page_account,
    session_account,
    session_policy,
    sign_in,
    sign_out,
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
    sign_in(request, account)
    target = _safe_next(next)
    return RedirectResponse(home_of(account) if target == "/" else target, status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    sign_out(request)
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
    store = container_of(request).store
    live = current_session(request)
    tokens = list_tokens(store, account.username, account.viewer)
    return render(
        request,
        "account.html",
        account,
        status_code=status_code,
        tokens=tokens,
        expiry={t.id: expiry_label(t.expires_at) for t in tokens},
        sessions=list_sessions(
            store,
            account.username,
            session_policy(request),
            account.viewer,
            current=live.id if live else None,
        ),
        message=message,
        error=error,
        new_token=new_token,
        now=datetime.now(UTC).replace(tzinfo=None),
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
    if new_password != confirm_password:
        return _account_page(
            request, account, error="the two new passwords differ", status_code=400
        )
    live = current_session(request)
    try:
        set_password(
            container_of(request).store,
            account.username,
            new_password,
            current_password=current_password,
            actor=account.viewer,
            keep_session=live.id if live else None,
        )
    except ServiceError as exc:
        return _account_page(request, account, error=str(exc), status_code=400)
    return _account_page(
        request, account, message="Password changed. Your other sessions are signed out."
    )


@router.post("/account/sessions/end-others")
def sign_out_everywhere(request: Request, account: Account = Depends(page_account)) -> Response:
    """Sign out every other browser; this one stays signed in."""
    live = current_session(request)
    ended = end_all_sessions(
        container_of(request).store,
        account.username,
        account.viewer,
        keep=live.id if live else None,
    )
    plural = "" if ended == 1 else "s"
    return _account_page(request, account, message=f"Signed out {ended} other session{plural}.")


@router.post("/account/sessions/end-all")
def sign_out_all(request: Request, account: Account = Depends(page_account)) -> Response:
    """Sign out everywhere, this browser included."""
    end_all_sessions(container_of(request).store, account.username, account.viewer)
    sign_out(request)
    return RedirectResponse("/login", status_code=303)


@router.post("/account/sessions/{session_id}/end")
def end_session_page(
    request: Request, session_id: int, account: Account = Depends(page_account)
) -> Response:
    live = current_session(request)
    end_one_session(container_of(request).store, account.username, session_id, account.viewer)
    if live is not None and live.id == session_id:
        sign_out(request)
        return RedirectResponse("/login", status_code=303)
    return _account_page(request, account, message=f"Session {session_id} ended.")


@router.post("/account/tokens")
def new_token(
    request: Request,
    name: str = Form("api"),
    scope: str = Form("read"),
    expires: str = Form(""),
    account: Account = Depends(page_account),
) -> Response:
    try:
        _, token = create_token(
            container_of(request).store,
            account.username,
            name,
            account.viewer,
            scope=scope,
            expires_at=parse_expiry(expires),
        )
    except ServiceError as exc:
        return _account_page(request, account, error=str(exc), status_code=400)
    return _account_page(request, account, new_token=token)


@router.post("/account/tokens/{token_id}/revoke")
def revoke(request: Request, token_id: int, account: Account = Depends(page_account)) -> Response:
    revoke_token(container_of(request).store, account.username, str(token_id), account.viewer)
    return _account_page(request, account, message=f"Token {token_id} revoked.")
