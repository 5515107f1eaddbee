"""Job payloads are JSON: how a call selection travels, and how a request becomes a key."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from callcoach.services.scoring.runs import CallSelection


def _day(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_day(value: str | None) -> date | datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)


def selection_to_payload(selection: CallSelection) -> dict[str, Any]:
    return {
        "since": _day(selection.since),
        "until": _day(selection.until),
        "rep": selection.rep,
        "team": selection.team,
        "call_ids": sorted(selection.call_ids),
    }


def selection_from_payload(data: dict[str, Any] | None) -> CallSelection:
    data = data or {}
    return CallSelection(
        since=_parse_day(data.get("since")),
        until=_parse_day(data.get("until")),
        rep=data.get("rep"),
        team=data.get("team"),
        call_ids=tuple(data.get("call_ids") or ()),
    )


def payload_key(identity: dict[str, Any]) -> str:
    """A job key from what makes two requests the same work (sorted JSON, hashed)."""
    text = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:40]
