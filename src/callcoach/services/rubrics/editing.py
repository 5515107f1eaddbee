"""Rubrics edited in the browser: the same domain validation as `callcoach rubric validate`,
saved as a new version by the same service as `callcoach rubric add`."""

from __future__ import annotations

from typing import Any

from callcoach.domain.access import Role, Viewer
from callcoach.domain.rubric import RubricCheck, check_rubric
from callcoach.ingest.rubric_yaml import dump_rubric
from callcoach.services.accounts.users import PermissionDeniedError
from callcoach.services.rubrics.catalog import AddedRubric, RubricInvalidError, add_rubric_text
from callcoach.store.uow import Store


def can_edit_rubrics(viewer: Viewer) -> bool:
    return viewer.role in (Role.ADMIN, Role.MANAGER)


def weight_total(document: Any) -> float | None:
    """The sum of the criteria weights, when every weight is a number (shown as you type)."""
    criteria = document.get("criteria") if isinstance(document, dict) else None
    if not isinstance(criteria, list):
        return None
    total = 0.0
    for crit in criteria:
        weight = crit.get("weight") if isinstance(crit, dict) else None
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            return None
        total += float(weight)
    return total


def check_rubric_document(document: Any) -> RubricCheck:
    return check_rubric(document)


def save_rubric_document(store: Store, document: Any, viewer: Viewer) -> AddedRubric:
    """Store the document as the rubric's next version (unchanged content keeps the version)."""
    if not can_edit_rubrics(viewer):
        raise PermissionDeniedError("only a manager or an administrator can change rubrics")
    check = check_rubric(document)
    if not check.ok or check.rubric is None:
        raise RubricInvalidError(check)
    # Through the YAML text, so the web and `rubric add` store byte-for-byte the same thing.
    text = dump_rubric(check.rubric.canonical())
    return add_rubric_text(store, text, "web editor", created_by=viewer.username)
