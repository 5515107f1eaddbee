"""Exporting calls and human ratings, in formats that import back unchanged.

- Calls as JSON Lines use the conversation format of ../shared/data/README.md (plus account,
  deal_id, call_type, duration_s), so `callcoach import calls` reads an export back; as CSV, one
  row per transcript segment, for spreadsheets.
- Ratings use exactly the columns `callcoach import ratings` reads (with rubric_id filled).

Both honour who is asking (a manager exports their teams' calls, a rep their own) and the
filters; see docs/export-format.md.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, TextIO

from callcoach.domain.access import SYSTEM, Scope, Viewer
from callcoach.domain.calls import Call, Deal, DealOutcome, SpeakerRole
from callcoach.ingest.ratings_file import EXPORT_COLUMNS
from callcoach.services.common import NoProgress, NotFoundError, Progress, ServiceError
from callcoach.store.repositories.calls import CallFilter
from callcoach.store.uow import Store, UnitOfWork

BATCH = 500  # calls loaded per query while streaming an export
CALL_CSV_COLUMNS = (
    "call_id",
    "date",
    "rep",
    "account",
    "deal_id",
    "call_type",
    "segment",
    "speaker",
    "role",
    "start",
    "end",
    "text",
)


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


@dataclass(frozen=True)
class ExportFilter:
    """Which calls to export. `until` is exclusive (see `parse_window`)."""

    rep: str | None = None
    team: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class ExportSummary:
    calls: int
    records: int  # lines or rows written (segments for a calls CSV, ratings for ratings)


def parse_window(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """'--since 2026-03-01 --until 2026-03-31' includes all of March 31 (a date-only until is
    the end of that day); a date and time is taken as written."""

    def parse(text: str, name: str) -> tuple[datetime, bool]:
        try:
            return datetime.combine(date.fromisoformat(text.strip()), time()), True
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(text.strip()).replace(tzinfo=None), False
        except ValueError:
            raise ServiceError(
                f"--{name} {text!r} is not a date (YYYY-MM-DD) or date and time (ISO 8601)"
            ) from None

    start = parse(since, "since")[0] if since else None
    end = None
    if until:
        end, date_only = parse(until, "until")
        if date_only:
            end += timedelta(days=1)
    if start and end and end <= start:
        raise ServiceError("--until is before --since: no call can match")
    return start, end


def _call_filter(uow: UnitOfWork, filters: ExportFilter, access: Scope) -> CallFilter:
    if filters.rep is not None and uow.people.rep(filters.rep, scope=access) is None:
        raise NotFoundError(f"no rep {filters.rep!r}")
    if filters.team is not None and uow.people.team_row(filters.team) is None:
        raise NotFoundError(f"no team {filters.team!r}")
    return CallFilter(
        rep=filters.rep,
        team=filters.team,
        since=filters.since,
        until=filters.until,
    )


def _calls(
    uow: UnitOfWork, ids: Sequence[str], access: Scope
) -> Iterator[tuple[Call, Deal | None]]:
    # A call's deal comes with the call (an imported deal may name no rep).
    with_call = Scope.system("the deals of calls read within the viewer's scope")
    for start in range(0, len(ids), BATCH):
        calls = uow.calls.get_many(ids[start : start + BATCH], scope=access)
        deals = uow.deals.get_many(
            (c.deal_external_id for c in calls if c.deal_external_id), scope=with_call
        )
        for call in calls:
            yield call, deals.get(call.deal_external_id) if call.deal_external_id else None


def _rep_speaker(call: Call) -> str | None:
    rep_labels = [s.speaker for s in call.segments if s.role is SpeakerRole.REP]
    return rep_labels[0] if rep_labels else None


def _outcome(call: Call, deal: Deal | None) -> dict[str, Any] | None:
    outcome = dict(call.meta.get("outcome") or {})
    if deal is not None:
        won = {DealOutcome.WON: True, DealOutcome.LOST: False}.get(deal.outcome)
        outcome["won"] = won
    return outcome or None


def conversation_record(call: Call, deal: Deal | None) -> dict[str, Any]:
    """A call in the conversation JSON Lines format (what `import calls` reads back)."""
    return {
        "call_id": call.external_id,
        "source": call.meta.get("source") or call.source_format,
        "rep": call.rep,
        "date": call.date.isoformat() if call.date else None,
        "rep_speaker": _rep_speaker(call),
        "account": call.account,
        "deal_id": call.deal_external_id,
        "call_type": call.call_type,
        "duration_s": call.duration_s,
        "turns": [
            {"speaker": s.speaker, "text": s.text, "start": s.start, "end": s.end}
            for s in call.segments
        ],
        "outcome": _outcome(call, deal),
        "annotations": call.annotations,
    }


def _csv_rows(call: Call) -> Iterator[list[Any]]:
    date_text = call.date.isoformat() if call.date else ""
    for s in call.segments:
        yield [
            call.external_id,
            date_text,
            call.rep or "",
            call.account or "",
            call.deal_external_id or "",
            call.call_type or "",
            s.index,
            s.speaker,
            s.role.value,
            "" if s.start is None else s.start,
            "" if s.end is None else s.end,
            s.text,
        ]


def export_calls(
    store: Store,
    out: TextIO,
    *,
    fmt: ExportFormat = ExportFormat.jsonl,
    filters: ExportFilter | None = None,
    viewer: Viewer = SYSTEM,
    progress: Progress | None = None,
) -> ExportSummary:
    """Write the calls `viewer` may see, oldest first, to `out`."""
    progress = progress or NoProgress()
    filters = filters or ExportFilter()
    writer = csv.writer(out, lineterminator="\n") if fmt is ExportFormat.csv else None
    if writer is not None:
        writer.writerow(CALL_CSV_COLUMNS)
    calls = records = 0
    with store.unit_of_work() as uow:
        access = uow.people.scope_for(viewer)
        ids = uow.calls.external_ids(_call_filter(uow, filters, access), scope=access)
        progress.start("Exporting calls", len(ids))
        for call, deal in _calls(uow, ids, access):
            if writer is not None:
                for row in _csv_rows(call):
                    writer.writerow(row)
                    records += 1
            else:
                out.write(json.dumps(conversation_record(call, deal), ensure_ascii=False) + "\n")
                records += 1
            calls += 1
            progress.advance()
    return ExportSummary(calls=calls, records=records)


def export_ratings(
    store: Store,
    out: TextIO,
    *,
    fmt: ExportFormat = ExportFormat.csv,
    filters: ExportFilter | None = None,
    rubric: str | None = None,
    rater: str | None = None,
    viewer: Viewer = SYSTEM,
) -> ExportSummary:
    """Write human ratings of the calls `viewer` may see, in the columns the import reads."""
    filters = filters or ExportFilter()
    with store.unit_of_work() as uow:
        if rubric is not None and uow.rubrics.latest(rubric) is None:
            raise NotFoundError(f"no rubric {rubric!r}")
        access = uow.people.scope_for(viewer)
        call_ids = set(uow.calls.external_ids(_call_filter(uow, filters, access), scope=access))
        ratings = [
            r
            for r in uow.scores.ratings(rubric, scope=access)
            if r.call_id in call_ids and (rater is None or r.rater.lower() == rater.lower())
        ]
    rows = [
        {
            "call_id": r.call_id,
            "rubric_id": r.rubric_id,
            "rater": r.rater,
            "criterion_id": r.criterion_id,
            "level": r.level,
            "evidence_segment": r.evidence_segment,
            "note": r.note,
        }
        for r in ratings
    ]
    if fmt is ExportFormat.csv:
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return ExportSummary(calls=len({r.call_id for r in ratings}), records=len(rows))
