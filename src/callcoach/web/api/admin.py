"""REST API: rubrics (list, get, validate, new version, re-score), users and imports (admin)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from callcoach.services.accounts.users import Account, add_user, list_users, update_user
from callcoach.services.imports.uploads import import_uploads
from callcoach.services.jobs.scoring import rescore_request
from callcoach.services.rubrics.catalog import RubricInvalidError, get_rubric, list_rubrics
from callcoach.services.rubrics.editing import check_rubric_document, weight_total
from callcoach.services.rubrics.governance import save_rubric_document
from callcoach.web.api.jobs import job_out
from callcoach.web.auth import api_account, api_admin, check_csrf, container_of
from callcoach.web.background import score_uploaded, submit
from callcoach.web.schemas import (
    ImportFileOut,
    ImportReportOut,
    JobOut,
    RubricCheckOut,
    RubricOut,
    RubricSavedOut,
    RubricSummaryOut,
    UserIn,
    UserOut,
    UserUpdateIn,
)

router = APIRouter(prefix="/api/v1", dependencies=[Depends(check_csrf)])


@router.get("/rubrics", response_model=list[RubricSummaryOut], tags=["rubrics"])
def rubrics(request: Request, account: Account = Depends(api_account)) -> list[RubricSummaryOut]:
    return [
        RubricSummaryOut(
            id=s.rubric.id,
            name=s.rubric.name,
            version=s.version,
            versions=count,
            criteria=len(s.rubric.criteria),
            created_at=s.created_at,
            created_by=s.created_by,
        )
        for s, count in list_rubrics(container_of(request).store)
    ]


@router.get("/rubrics/{rubric_id}", response_model=RubricOut, tags=["rubrics"])
def rubric(
    request: Request,
    rubric_id: str,
    version: int | None = Query(None, description="A specific version; default the latest."),
    account: Account = Depends(api_account),
) -> RubricOut:
    stored = get_rubric(container_of(request).store, rubric_id, version)
    return RubricOut(
        version=stored.version,
        created_at=stored.created_at,
        created_by=stored.created_by,
        rubric=stored.rubric.canonical(),
    )


@router.post("/rubrics/validate", response_model=RubricCheckOut, tags=["rubrics"])
def validate_rubric(
    document: dict[str, Any] = Body(..., description="A rubric document (the YAML's shape)."),
    account: Account = Depends(api_account),
) -> RubricCheckOut:
    """The checks of `callcoach rubric validate`, for the editor's live validation."""
    check = check_rubric_document(document)
    return RubricCheckOut(
        valid=check.ok,
        errors=check.errors,
        warnings=check.warnings,
        weight_total=weight_total(document),
    )


@router.post("/rubrics", response_model=RubricSavedOut, tags=["rubrics"])
def create_rubric_version(
    request: Request,
    document: dict[str, Any] = Body(..., description="A rubric document (the YAML's shape)."),
    account: Account = Depends(api_account),
) -> Any:
    """Store a rubric; changed content becomes its next version. A manager changes only a
    rubric their own teams alone use (403 with the reason otherwise); administrators any."""
    container = container_of(request)
    try:
        added = save_rubric_document(
            container.store, document, account.viewer, container.settings.default_rubric
        )
    except RubricInvalidError as exc:
        return JSONResponse(
            {
                "detail": "invalid rubric",
                "errors": exc.check.errors,
                "warnings": exc.check.warnings,
            },
            status_code=422,
        )
    return RubricSavedOut(
        id=added.stored.rubric.id,
        version=added.stored.version,
        new_version=added.is_new_version,
        warnings=added.warnings,
    )


@router.post(
    "/rubrics/{rubric_id}/rescore", response_model=JobOut, status_code=202, tags=["rubrics"]
)
def rescore(
    request: Request,
    rubric_id: str,
    everything: bool = Query(False, description="Also re-score calls already scored on it."),
    account: Account = Depends(api_account),
) -> JobOut:
    """Score your calls on the rubric's latest version as a background job; poll the job."""
    container = container_of(request)
    job_request = rescore_request(
        container.store,
        account.viewer,
        rubric_id,
        container.settings.scorer,
        everything=everything,
    )
    return job_out(request, submit(request, job_request))


def _user_out(a: Account) -> UserOut:
    return UserOut(
        username=a.username,
        role=a.role.value,
        teams=list(a.teams),
        rep=a.rep,
        email=a.email,
        active=a.active,
        created_at=a.created_at,
    )


@router.get("/users", response_model=list[UserOut], tags=["users"])
def users(request: Request, account: Account = Depends(api_admin)) -> list[UserOut]:
    return [_user_out(a) for a in list_users(container_of(request).store, account.viewer)]


@router.post("/users", response_model=UserOut, status_code=201, tags=["users"])
def create_user(request: Request, body: UserIn, account: Account = Depends(api_admin)) -> UserOut:
    created = add_user(
        container_of(request).store,
        body.username,
        body.role,
        body.password,
        teams=body.teams,
        rep=body.rep,
        email=body.email,
        actor=account.viewer,
    )
    return _user_out(created)


@router.patch("/users/{username}", response_model=UserOut, tags=["users"])
def change_user(
    request: Request, username: str, body: UserUpdateIn, account: Account = Depends(api_admin)
) -> UserOut:
    """Change a user's role, a manager's teams, a rep account's roster rep or the email
    (administrators; audited as user.update with the values before and after)."""
    changed = update_user(
        container_of(request).store,
        username,
        role=body.role,
        teams=body.teams,
        rep=body.rep,
        email=body.email,
        actor=account.viewer,
    )
    return _user_out(changed)


@router.post("/imports/{kind}", response_model=ImportReportOut, tags=["imports"])
async def upload_import(
    request: Request,
    kind: str,
    files: list[UploadFile] = File(..., description="One or more files of that kind."),
    rep_speaker: str | None = Form(None, description="Calls: the rep's speaker label."),
    account: Account = Depends(api_account),
) -> Any:
    """Import files (administrators): calls, reps, deals, activities, quotas, ratings, scores."""
    uploads = [(f.filename or "upload", await f.read()) for f in files]
    options = {"rep_speaker": rep_speaker} if kind == "calls" and rep_speaker else {}
    report = import_uploads(container_of(request).store, kind, uploads, account.viewer, options)
    scoring = score_uploaded(request, kind, report, account.viewer)
    out = ImportReportOut(
        ok=report.ok,
        scoring_job=scoring.id if scoring else None,
        files=[
            ImportFileOut(
                file=f.path,
                ok=f.ok,
                created=f.created,
                updated=f.updated,
                error=f.error,
                line=f.line,
                warnings=list(f.warnings),
            )
            for f in report.files
        ],
    )
    return JSONResponse(out.model_dump(), status_code=200 if report.ok else 422)
