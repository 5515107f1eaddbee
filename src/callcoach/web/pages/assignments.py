"""Pages: a manager assigns structured practice from the rep's page (issue 17, section 4)."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from callcoach.domain.assignments import TargetKind
from callcoach.services.accounts.users import Account
from callcoach.services.assignments.assign import assign
from callcoach.web.auth import check_csrf, container_of, page_account

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])


@router.post("/reps/{name}/assignments")
def assign_page(
    request: Request,
    name: str,
    rubric_id: str = Form(...),
    criterion_id: str = Form(...),
    sessions: int = Form(...),
    due: date = Form(...),
    note: str = Form(""),
    account: Account = Depends(page_account),
) -> Response:
    done = assign(
        container_of(request).store,
        name,
        TargetKind.CRITERION,
        criterion_id,
        rubric=rubric_id,
        sessions=sessions,
        due=due,
        note=note.strip() or None,
        viewer=account.viewer,
    )
    return RedirectResponse(f"/reps/{quote(done.rep)}#assignments", status_code=303)
