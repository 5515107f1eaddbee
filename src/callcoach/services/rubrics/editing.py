"""Rubrics edited in the browser: the same domain validation as `callcoach rubric validate`;
saving goes through `services/rubrics/governance.py`, as `callcoach rubric add` does."""

from __future__ import annotations

from typing import Any

from callcoach.domain.access import Role, Viewer
from callcoach.domain.rubric import RubricCheck, check_rubric


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
