"""The manifest CSV: one row of metadata per call, matched by `file` or `call_id`.

Columns: file or call_id (one is required), rep, date, account, deal_id, call_type,
rep_speaker. Unknown columns are ignored; empty cells mean "not given".
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from callcoach.ingest.errors import ParseError
from callcoach.ingest.transcript import CallMetadata

KEY_COLUMNS = ("file", "call_id")


def _cell(row: dict[str, str | None], name: str) -> str | None:
    value = row.get(name)
    return value.strip() if value and value.strip() else None


def read_manifest(path: Path) -> list[tuple[str, CallMetadata]]:
    """(key, metadata) per row; the key is the file (as written) or the call id."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ParseError(path, None, f"cannot read file: {exc.strerror or exc}") from exc
    result: list[tuple[str, CallMetadata]] = []
    with handle:
        reader = csv.DictReader(handle)
        headers = [h.strip().lower() for h in reader.fieldnames or []]
        if not any(k in headers for k in KEY_COLUMNS):
            raise ParseError(path, 1, "manifest needs a 'file' or 'call_id' column")
        reader.fieldnames = headers
        for row in reader:
            line = reader.line_num
            key = _cell(row, "file") or _cell(row, "call_id")
            if key is None:
                raise ParseError(path, line, "row has neither file nor call_id")
            date_text = _cell(row, "date")
            try:
                date = datetime.fromisoformat(date_text) if date_text else None
            except ValueError as exc:
                raise ParseError(path, line, f"date {date_text!r} is not ISO 8601") from exc
            result.append(
                (
                    key,
                    CallMetadata(
                        external_id=_cell(row, "call_id"),
                        rep=_cell(row, "rep"),
                        date=date,
                        account=_cell(row, "account"),
                        deal_external_id=_cell(row, "deal_id"),
                        call_type=_cell(row, "call_type"),
                        rep_speaker=_cell(row, "rep_speaker"),
                    ),
                )
            )
    return result
