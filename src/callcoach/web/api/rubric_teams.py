"""REST API: which team is reported on which rubric, team copies, and assignments (admin)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from callcoach.services.accounts.users import Account
from callcoach.services.rubrics.catalog import RubricInvalidError
from callcoach.services.rubrics.governance import assign_rubric, save_rubric_copy, team_rubrics
from callcoach.web.auth import api_account, check_csrf, container_of
from callcoach.web.schemas import RubricSavedOut

router = APIRouter(prefix="/api/v1", dependencies=[Depends(check_csrf)])


class TeamRubricOut(BaseModel):
    team: str
    rubric: str
    rubric_name: str | None
    version: int | None
    assigned: bool = Field(description="False: the team uses the organisation's default rubric.")


class RubricCopyIn(BaseModel):
    team: str = Field(description="The team the copy is for (one of yours, for a manager).")
    document: dict[str, Any] = Field(description="A rubric document (the YAML's shape).")
    id: str | None = Field(None, description="The copy's id; default the rubric's id + team.")


class AssignmentIn(BaseModel):
    rubric: str | None = Field(description="A rubric id; null: the organisation's default.")


@router.get("/rubric-assignments", response_model=list[TeamRubricOut], tags=["rubrics"])
def assignments(request: Request, account: Account = Depends(api_account)) -> list[TeamRubricOut]:
    """Each team you may see, with the rubric (name and latest version) it is reported on."""
    container = container_of(request)
    return [
        TeamRubricOut(
            team=t.team,
            rubric=t.rubric_id,
            rubric_name=t.rubric_name,
            version=t.version,
            assigned=t.assigned,
        )
        for t in team_rubrics(container.store, account.viewer, container.settings.default_rubric)
    ]


@router.put("/rubric-assignments/{team}", response_model=list[TeamRubricOut], tags=["rubrics"])
def assign(
    request: Request,
    team: str,
    body: AssignmentIn = Body(...),
    account: Account = Depends(api_account),
) -> list[TeamRubricOut]:
    """Report a team on a rubric (administrators only; 403 otherwise)."""
    assign_rubric(container_of(request).store, team, body.rubric, account.viewer)
    return assignments(request, account)


@router.post("/rubrics/copy", response_model=RubricSavedOut, tags=["rubrics"])
def copy_for_team(
    request: Request, body: RubricCopyIn = Body(...), account: Account = Depends(api_account)
) -> Any:
    """Save a rubric as a copy for a team, which is then reported on it (managers: their own
    teams; 403 with the reason otherwise)."""
    container = container_of(request)
    try:
        added = save_rubric_copy(
            container.store,
            body.document,
            body.team,
            account.viewer,
            container.settings.default_rubric,
            new_id=body.id,
        )
    except RubricInvalidError as exc:
        return JSONResponse(
            {"detail": "invalid rubric", "errors": exc.check.errors}, status_code=422
        )
    return RubricSavedOut(
        id=added.stored.rubric.id,
        version=added.stored.version,
        new_version=added.is_new_version,
        warnings=added.warnings,
    )
