"""Calibration sets in the web app: managers rate the same calls blind, then compare."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from callcoach.domain.access import Role
from callcoach.services.accounts.users import Account, PermissionDeniedError
from callcoach.services.assessment.calibration_sets import (
    create_calibration_set,
    list_calibration_sets,
    rate_calibration_call,
    show_calibration_set,
)
from callcoach.services.common import ServiceError
from callcoach.web.auth import check_csrf, container_of, page_account
from callcoach.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,;]+", text) if w]


@router.get("/calibration")
def calibration_list_page(request: Request, account: Account = Depends(page_account)) -> Response:
    if account.viewer.role is Role.REP:
        raise PermissionDeniedError("calibration sets are for managers and administrators")
    sets = list_calibration_sets(container_of(request).store, account.viewer)
    return render(request, "calibration_sets.html", account, sets=sets)


@router.post("/calibration")
def create_set_page(
    request: Request,
    name: str = Form(...),
    calls: str = Form(...),
    raters: str = Form(...),
    account: Account = Depends(page_account),
) -> Response:
    container = container_of(request)
    set_id = create_calibration_set(
        container.store,
        account.viewer,
        name=name,
        rubric=container.settings.default_rubric,
        call_ids=_words(calls),
        raters=_words(raters),
    )
    return RedirectResponse(f"/calibration/{set_id}", status_code=303)


@router.get("/calibration/{set_id}")
def calibration_set_page(
    request: Request, set_id: int, account: Account = Depends(page_account)
) -> Response:
    view = show_calibration_set(container_of(request).store, account.viewer, set_id)
    return render(request, "calibration_set.html", account, view=view)


@router.post("/calibration/{set_id}/calls/{call_id:path}")
async def rate_call_page(
    request: Request, set_id: int, call_id: str, account: Account = Depends(page_account)
) -> Response:
    form = await request.form()
    levels: dict[str, int] = {}
    notes: dict[str, str] = {}
    for key, value in form.items():
        if not isinstance(value, str):
            continue
        if key.startswith("level_") and value.strip():
            if not value.strip().isdigit():
                raise ServiceError(f"{key[6:]}: choose a level from 1 to 5")
            levels[key[6:]] = int(value)
        elif key.startswith("note_") and value.strip():
            notes[key[5:]] = value.strip()
    rate_calibration_call(
        container_of(request).store, account.viewer, set_id, call_id, levels, notes
    )
    return RedirectResponse(f"/calibration/{set_id}#call-{call_id}", status_code=303)
