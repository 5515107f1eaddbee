"""Pages: rubrics (list, editor, re-score), imports and the audit log (administrators)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from callcoach.ingest.rubric_yaml import load_rubric_data
from callcoach.services.accounts.users import Account, PermissionDeniedError, audit_log
from callcoach.services.common import ServiceError
from callcoach.services.imports.uploads import available_kinds, import_uploads
from callcoach.services.jobs.kinds import SCORE_CALLS
from callcoach.services.jobs.views import list_jobs
from callcoach.services.rubrics.catalog import (
    RubricInvalidError,
    get_rubric,
    list_rubrics,
    template_text,
)
from callcoach.services.rubrics.editing import can_edit_rubrics
from callcoach.services.rubrics.governance import (
    assign_rubric,
    rubric_rights,
    save_rubric_copy,
    save_rubric_document,
    team_rubrics,
)
from callcoach.web.api.jobs import job_out
from callcoach.web.auth import check_csrf, container_of, page_account, page_admin
from callcoach.web.background import score_uploaded
from callcoach.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
_CRITERION_FIELD = re.compile(r"^c-(\d+)-([a-z0-9]+)$")


def _number(text: str) -> Any:
    """A weight as typed: a number when it reads as one, else the text (validation says why)."""
    try:
        value = float(text.strip())
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def rubric_document_from_form(form: FormData) -> dict[str, Any]:
    """The editor's fields as a rubric document (the shape of the YAML file)."""
    criteria: dict[int, dict[str, Any]] = {}
    for key, value in form.multi_items():
        match = _CRITERION_FIELD.match(key)
        if not match or not isinstance(value, str):
            continue
        crit = criteria.setdefault(int(match.group(1)), {"anchors": {}, "examples": {}})
        field = match.group(2)
        if field in ("id", "name", "description"):
            crit[field] = value.strip()
        elif field == "weight":
            crit["weight"] = _number(value)
        elif field in ("a1", "a2", "a3", "a4", "a5"):
            crit["anchors"][int(field[1])] = value.strip()
        elif field in ("positive", "negative"):
            crit["examples"][field] = [line.strip() for line in value.splitlines() if line.strip()]
    document: dict[str, Any] = {
        "id": str(form.get("id") or "").strip(),
        "name": str(form.get("name") or "").strip(),
        "criteria": [criteria[i] for i in sorted(criteria)],
    }
    description = str(form.get("description") or "").strip()
    if description:
        document["description"] = description
    return document


@router.get("/rubrics")
def rubrics_page(request: Request, account: Account = Depends(page_account)) -> Response:
    store = container_of(request).store
    default_rubric = container_of(request).settings.default_rubric
    return render(
        request,
        "rubrics.html",
        account,
        rubrics=list_rubrics(store),
        team_rubrics=team_rubrics(store, account.viewer, default_rubric),
        settings_default_rubric=default_rubric,
        can_edit=can_edit_rubrics(account.viewer),
        jobs=[
            job_out(request, job)
            for job in list_jobs(
                store, (), SCORE_CALLS, 5, viewer=account.viewer, newest_first=True
            ).jobs
        ],
    )


def _editor(
    request: Request,
    account: Account,
    document: dict[str, Any],
    *,
    is_new: bool,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    container = container_of(request)
    rights = rubric_rights(
        container.store,
        str(document.get("id") or ""),
        account.viewer,
        container.settings.default_rubric,
    )
    return render(
        request,
        "rubric_edit.html",
        account,
        status_code=status_code,
        doc=document,
        is_new=is_new,
        errors=errors or [],
        can_edit=can_edit_rubrics(account.viewer),
        rights=rights,
    )


@router.get("/rubrics/new")
def new_rubric(
    request: Request, template: str = "one-call-close", account: Account = Depends(page_account)
) -> Response:
    document = load_rubric_data(template_text(template), f"template {template}")
    document["id"] = f"{document['id']}-custom"
    document["name"] = f"{document['name']} (custom)"
    return _editor(request, account, document, is_new=True)


@router.get("/rubrics/{rubric_id}")
def edit_rubric(
    request: Request, rubric_id: str, account: Account = Depends(page_account)
) -> Response:
    stored = get_rubric(container_of(request).store, rubric_id)
    document = stored.rubric.canonical()
    document["version"] = stored.version
    return _editor(request, account, document, is_new=False)


@router.post("/rubrics/save")
async def save_rubric(request: Request, account: Account = Depends(page_account)) -> Response:
    form = await request.form()
    document = rubric_document_from_form(form)
    is_new = form.get("is_new") == "1"
    container = container_of(request)
    default_rubric = container.settings.default_rubric
    try:
        if form.get("action") == "copy":
            added = save_rubric_copy(
                container.store,
                document,
                str(form.get("copy_team") or ""),
                account.viewer,
                default_rubric,
                new_id=str(form.get("copy_id") or "") or None,
            )
        else:
            added = save_rubric_document(container.store, document, account.viewer, default_rubric)
    except RubricInvalidError as exc:
        return _editor(
            request, account, document, is_new=is_new, errors=exc.check.errors, status_code=400
        )
    except PermissionDeniedError as exc:
        return _editor(
            request, account, document, is_new=is_new, errors=[str(exc)], status_code=403
        )
    rubric = added.stored.rubric
    state = "saved" if added.is_new_version else "unchanged"
    return RedirectResponse(
        f"/rubrics?{state}={rubric.id}&version={added.stored.version}", status_code=303
    )


@router.post("/rubrics/assign")
def assign_team_rubric(
    request: Request,
    team: str = Form(...),
    rubric: str = Form(""),
    account: Account = Depends(page_admin),
) -> Response:
    """An administrator reports a team on a rubric (empty: the organisation's default)."""
    assign_rubric(container_of(request).store, team, rubric or None, account.viewer)
    return RedirectResponse(f"/rubrics?assigned={team}", status_code=303)


# users (administrators)
@router.get("/admin/audit")
def audit_page(
    request: Request, action: str | None = None, account: Account = Depends(page_admin)
) -> Response:
    entries = audit_log(container_of(request).store, account.viewer, 300, action or None)
    return render(request, "audit.html", account, entries=entries, action=action or "")


@router.get("/import")
def import_page(request: Request, account: Account = Depends(page_admin)) -> Response:
    return render(request, "import.html", account, kinds=available_kinds(), report=None, kind=None)


@router.post("/import")
async def import_files(
    request: Request,
    kind: str = Form(...),
    files: list[UploadFile] = File(default_factory=list),
    rep_speaker: str = Form(""),
    account: Account = Depends(page_admin),
) -> Response:
    uploads = [(f.filename or "upload", await f.read()) for f in files if f.filename]
    options = (
        {"rep_speaker": rep_speaker.strip()} if kind == "calls" and rep_speaker.strip() else {}
    )
    try:
        report = import_uploads(container_of(request).store, kind, uploads, account.viewer, options)
    except ServiceError as exc:
        return render(
            request,
            "import.html",
            account,
            status_code=400,
            kinds=available_kinds(),
            report=None,
            kind=kind,
            error=str(exc),
        )
    return render(
        request,
        "import.html",
        account,
        status_code=200 if report.ok else 422,
        kinds=available_kinds(),
        report=report,
        kind=kind,
        scoring_job=score_uploaded(request, kind, report, account.viewer),
    )
