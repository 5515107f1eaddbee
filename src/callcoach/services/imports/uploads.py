"""Imports uploaded through the browser or the API: the same importers as `callcoach import`.

Uploads are written to a private temporary folder under their own (sanitised) names, so the
importers' per-file reports, with line numbers, name the files the user chose. Imports change
organisation-wide data (rosters move reps between teams), so they are for administrators.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callcoach.domain.access import Viewer
from callcoach.services.accounts.users import require_admin
from callcoach.services.common import ServiceError
from callcoach.services.exchange.scores import import_scores
from callcoach.services.imports.crm import (
    import_activities,
    import_deals,
    import_quotas,
    import_reps,
)
from callcoach.services.imports.ratings import import_ratings
from callcoach.services.imports.reports import ImportReport
from callcoach.services.imports.transcripts import import_calls
from callcoach.store.uow import Store

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class ImportKind:
    name: str
    label: str
    accepts: str  # for the file picker
    # The same function `callcoach import KIND` calls, given (store, files, who, options).
    importer: Callable[[Store, list[Path], Viewer, dict[str, Any]], Any]
    help: str


def _calls(store: Store, paths: list[Path], viewer: Viewer, options: dict[str, Any]) -> Any:
    return import_calls(store, paths, actor=viewer.username, **options)


def _roster_kind(function: Callable[..., ImportReport]) -> Callable[..., ImportReport]:
    def run(store: Store, paths: list[Path], viewer: Viewer, options: dict[str, Any]) -> Any:
        return function(store, paths, actor=viewer.username)

    return run


def _ratings(store: Store, paths: list[Path], viewer: Viewer, options: dict[str, Any]) -> Any:
    return import_ratings(store, paths, viewer=viewer)


def _scores(store: Store, paths: list[Path], viewer: Viewer, options: dict[str, Any]) -> Any:
    # A scores file is imported whole on its own; several files make one report.
    report = ImportReport()
    for path in paths:
        report.files.extend(import_scores(store, path, viewer).files)
    return report


IMPORT_KINDS = [
    ImportKind(
        "calls",
        "Call transcripts",
        ".vtt,.srt,.json,.txt,.jsonl",
        _calls,
        "WebVTT, SRT, Whisper/Deepgram/AssemblyAI JSON, [mm:ss] text, conversation JSONL.",
    ),
    ImportKind(
        "reps",
        "Roster (reps)",
        ".csv",
        _roster_kind(import_reps),
        "name, email, team, manager, start date.",
    ),
    ImportKind(
        "deals",
        "Deals",
        ".csv",
        _roster_kind(import_deals),
        "Salesforce opportunities, HubSpot deals, or our own columns.",
    ),
    ImportKind(
        "activities",
        "Activities",
        ".csv",
        _roster_kind(import_activities),
        "Calls made, meetings booked, proposals sent per rep per day.",
    ),
    ImportKind(
        "quotas",
        "Quotas",
        ".csv",
        _roster_kind(import_quotas),
        "Quota per rep per period.",
    ),
    ImportKind(
        "ratings",
        "Manager ratings",
        ".csv",
        _ratings,
        "call_id, rater, criterion_id, level[, evidence_segment, note].",
    ),
    ImportKind(
        "scores",
        "Scores (JSONL)",
        ".jsonl",
        _scores,
        "The `callcoach export scores` format, from another system or database.",
    ),
]


def available_kinds() -> list[ImportKind]:
    """The kinds of file the web app and the API can import."""
    return list(IMPORT_KINDS)


def _safe_name(name: str, position: int) -> str:
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._ -]", "_", base).strip(" .") or f"upload-{position + 1}"
    return base[:150]


def import_uploads(
    store: Store,
    kind_name: str,
    uploads: Sequence[tuple[str, bytes]],
    viewer: Viewer,
    options: dict[str, Any] | None = None,
) -> Any:
    """Import uploaded files of one kind; returns the importer's per-file report."""
    require_admin(viewer, "import data")
    kind = next((k for k in IMPORT_KINDS if k.name == kind_name), None)
    if kind is None:
        names = ", ".join(k.name for k in available_kinds())
        raise ServiceError(f"cannot import {kind_name!r} here; kinds: {names}")
    if not uploads:
        raise ServiceError("choose at least one file to import")
    if sum(len(data) for _, data in uploads) > MAX_UPLOAD_BYTES:
        raise ServiceError(f"uploads are limited to {MAX_UPLOAD_BYTES // 2**20} MB at a time")
    with tempfile.TemporaryDirectory(prefix="callcoach-upload-") as folder:
        paths = []
        used: set[str] = set()
        for position, (name, data) in enumerate(uploads):
            safe = _safe_name(name, position)
            while safe in used:
                safe = f"{position + 1}-{safe}"
            used.add(safe)
            path = Path(folder) / safe
            path.write_bytes(data)
            paths.append(path)
        # Every importer writes its own audit entry with the file, in the file's transaction.
        report = kind.importer(store, paths, viewer, dict(options or {}))
        for file_report in getattr(report, "files", []):
            # Name the file as the user knows it, not the temporary folder.
            file_report.path = Path(file_report.path).name
        return report
