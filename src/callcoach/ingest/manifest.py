"""The manifest CSV: one row of metadata per call, matched by `file` or `call_id`.

Columns: file or call_id (one is required), rep, date, account, deal_id, call_type,
rep_speaker. Unknown columns are ignored; empty cells mean "not given". A `file` is matched by
its path (relative to the manifest's folder, or absolute), its name, or its name without the
extension; a `call_id` alone matches a call of that id (or a transcript file of that name).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from callcoach.ingest.csv_table import read_csv_table
from callcoach.ingest.errors import ParseError
from callcoach.ingest.transcript import CallMetadata

MANIFEST_COLUMNS: dict[str, tuple[str, ...]] = {
    "file": ("file", "path", "filename"),
    "call_id": ("call_id", "call id"),
    "rep": ("rep", "rep_name", "owner"),
    "date": ("date", "call_date", "started_at"),
    "account": ("account", "account_name", "company"),
    "deal_id": ("deal_id", "opportunity_id", "deal"),
    "call_type": ("call_type", "type"),
    "rep_speaker": ("rep_speaker", "rep_label"),
}


def read_manifest(path: Path) -> list[tuple[str, CallMetadata]]:
    """(key, metadata) per row; the key is the file (as written) or the call id."""
    if not path.is_file():
        raise ParseError(path, None, "cannot read file: no such file")
    table = read_csv_table(path)
    table.map_columns(MANIFEST_COLUMNS, [("file", "call_id")])
    result: list[tuple[str, CallMetadata]] = []
    keys: dict[str, int] = {}
    call_ids: dict[str, int] = {}
    for row in table:
        key = row.raw("file") or row.raw("call_id")
        if key is None:
            raise ParseError(path, row.line, "row has neither file nor call_id")
        # A repeated row would silently win over the first, and one call id given to two files
        # would leave only the last file's call: both are refused.
        if key in keys:
            raise ParseError(path, row.line, f"{key!r} repeats line {keys[key]}")
        keys[key] = row.line
        call_id = row.raw("call_id")
        if call_id is not None:
            if call_id in call_ids:
                raise row.error(
                    "call_id",
                    f"call id {call_id!r} is already given on line {call_ids[call_id]}; "
                    "each call needs its own id",
                )
            call_ids[call_id] = row.line
        date_text = row.raw("date")
        try:
            date = datetime.fromisoformat(date_text.replace("Z", "+00:00")) if date_text else None
        except ValueError:
            raise row.error(
                "date", f"{date_text!r} is not an ISO 8601 date (2026-03-14 or 2026-03-14T15:00)"
            ) from None
        result.append(
            (
                key,
                CallMetadata(
                    external_id=row.text("call_id"),
                    rep=row.text("rep", max_length=200),
                    date=date,
                    account=row.text("account"),
                    deal_external_id=row.text("deal_id", max_length=200),
                    call_type=row.text("call_type", max_length=50),
                    rep_speaker=row.text("rep_speaker", max_length=200),
                ),
            )
        )
    return result
