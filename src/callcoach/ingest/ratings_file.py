"""Human ratings: a CSV (or JSON Lines) row per call x criterion x rater.

    call_id,rater,criterion_id,level,evidence_segment,note
    acme-discovery-0312,Maria Chen,discovery,4,12,"Asked about the current process twice"

`rubric_id` is an optional column; `evidence_segment` is the 0-based index of the segment that
shows the behaviour. `callcoach export ratings` writes the same columns, so exports import back.
Checking calls, rubrics and criteria against the store is the service's job (services/imports/ratings.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from callcoach.domain.scores import LEVEL_MAX, LEVEL_MIN
from callcoach.ingest.csv_cells import parse_count
from callcoach.ingest.csv_table import read_csv_table
from callcoach.ingest.errors import ParseError, utf8_lines
from callcoach.ingest.json_source import parse_json

RATING_COLUMNS: dict[str, tuple[str, ...]] = {
    "call_id": ("call_id", "call", "Call ID"),
    "rubric_id": ("rubric_id", "rubric"),
    "rater": ("rater", "rated_by", "reviewer"),
    "criterion_id": ("criterion_id", "criterion"),
    "level": ("level", "rating", "score"),
    "evidence_segment": ("evidence_segment", "segment"),
    "note": ("note", "notes", "comment"),
}
EXPORT_COLUMNS = (
    "call_id",
    "rubric_id",
    "rater",
    "criterion_id",
    "level",
    "evidence_segment",
    "note",
)
_REQUIRED = ("call_id", "rater", "criterion_id", "level")


@dataclass(frozen=True)
class RatingRecord:
    line: int
    call_id: str
    rater: str
    criterion_id: str
    level: int
    rubric_id: str | None = None
    evidence_segment: int | None = None
    note: str | None = None


def _level(value: str) -> int:
    level = parse_count(value)
    if not LEVEL_MIN <= level <= LEVEL_MAX:
        raise ValueError(f"level {level} is outside {LEVEL_MIN}-{LEVEL_MAX}")
    return level


def _record(
    line: int, cells: dict[str, str | None], fail: Callable[[str, str], ParseError]
) -> RatingRecord:
    """`fail(column, reason)` returns the ParseError to raise for a bad cell."""
    for name in _REQUIRED:
        if not cells.get(name):
            raise fail(name, "a value is required")
    limits = {"call_id": 300, "rater": 200, "criterion_id": 100, "rubric_id": 100}
    for name, limit in limits.items():
        value = cells.get(name)
        if value and len(value) > limit:
            raise fail(name, f"longer than {limit} characters")
    try:
        level = _level(str(cells["level"]))
    except ValueError as exc:
        raise fail("level", str(exc)) from None
    segment = None
    if cells.get("evidence_segment"):
        try:
            segment = parse_count(str(cells["evidence_segment"]))
        except ValueError as exc:
            raise fail("evidence_segment", f"{exc} (a 0-based segment index)") from None
    return RatingRecord(
        line=line,
        call_id=str(cells["call_id"]),
        rater=str(cells["rater"]),
        criterion_id=str(cells["criterion_id"]),
        level=level,
        rubric_id=cells.get("rubric_id") or None,
        evidence_segment=segment,
        note=cells.get("note") or None,
    )


def _read_csv(path: Path) -> tuple[list[RatingRecord], list[str]]:
    table = read_csv_table(path)
    table.map_columns(RATING_COLUMNS, [(name,) for name in _REQUIRED])
    records = []
    for row in table:
        cells = {name: row.raw(name) for name in RATING_COLUMNS}
        records.append(_record(row.line, cells, row.error))
    return records, table.warnings


def _read_jsonl(path: Path) -> tuple[list[RatingRecord], list[str]]:
    records = []
    for number, text in utf8_lines(path):
        if not text.strip():
            continue
        raw = parse_json(path, text, number)
        if not isinstance(raw, dict):
            raise ParseError(path, number, "expected one JSON object per line")
        cells = {
            name: (None if raw.get(name) is None else str(raw[name]).strip())
            for name in RATING_COLUMNS
        }

        def fail(name: str, reason: str, number: int = number) -> ParseError:
            return ParseError(path, number, f"{name}: {reason}")

        records.append(_record(number, cells, fail))
    return records, []


def read_ratings(path: Path) -> tuple[list[RatingRecord], list[str]]:
    """Rating rows and reading warnings; JSON Lines when the file is .jsonl or starts with '{'."""
    with path.open("rb") as handle:
        head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    if path.suffix.lower() == ".jsonl" or head.startswith(b"{"):
        records, warnings = _read_jsonl(path)
    else:
        records, warnings = _read_csv(path)
    if not records:
        raise ParseError(path, None, "no ratings in the file")
    return records, warnings
