"""Reviews as JSON (the CLI's --format json and the API): no NaN, dates as ISO text."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from callcoach.services.reviews.common import pack_to_json, plan_to_json
from callcoach.services.reviews.views import ReviewView, quick_missing


def finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _pack(view: ReviewView) -> dict[str, Any] | None:
    """The pack as this viewer reads it: the manager's preparation questions stay with the
    manager."""
    if view.pack is None:
        return None
    data = pack_to_json(view.pack)
    if not view.manager_view:
        data["questions"] = []
    return data


def view_json(view: ReviewView) -> dict[str, Any]:
    data: dict[str, Any] = finite(
        {
            "review": asdict(view.summary),
            "readable": view.pack is not None,
            "message": view.message,
            "needs_self_assessment": view.needs_self_assessment,
            "pack": _pack(view),
            "self_assessment": view.self_assessment.model_dump() if view.self_assessment else None,
            "perception_gaps": [asdict(g) for g in view.gaps],
            "final_ratings": {k: asdict(v) for k, v in view.final_ratings.items()},
            "plan": plan_to_json(view.plan) if view.plan is not None else None,
            "missing": view.missing if view.pack is not None else quick_missing(view.summary),
            "text": None
            if view.draft is None
            else {
                "version": view.draft.version,
                "source": view.draft.source,
                "text": view.draft.text,
                "check": asdict(view.draft.check),
                "summary": view.draft.check.summary(),
            },
        }
    )
    return data
