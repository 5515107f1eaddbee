"""Ratings imports and call/rating exports on both backends: checks, scoping, round trips."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from callcoach.domain.access import Role, Scope, Viewer
from callcoach.ingest.transcript import CallMetadata
from callcoach.services.common import NotFoundError
from callcoach.services.exchange.calls import (
    ExportFilter,
    ExportFormat,
    export_calls,
    export_ratings,
    parse_window,
)
from callcoach.services.imports.crm import import_deals, import_reps
from callcoach.services.imports.ratings import import_ratings
from callcoach.services.imports.transcripts import import_calls
from callcoach.services.rubrics.catalog import add_rubric_text, install_templates, template_text
from callcoach.store.db import Database
from callcoach.store.uow import Store

EVERYONE = Scope.system("test: read the whole organisation")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"
ROSTER = """\
name,email,team,manager,start_date
Dana Ortiz,dana.ortiz@brightline.io,West,Maria Chen,2024-03-04
Chris Novak,chris.novak@brightline.io,West,Maria Chen,2025-11-17
Priya Raman,priya.raman@brightline.io,East,Tom Alvarez,2023-06-01
Jordan Blake,jordan.blake@brightline.io,East,Tom Alvarez,2022-01-10
"""
CALLS = {  # fixture -> (call date, deal id)
    "zoom-discovery.vtt": (datetime(2026, 3, 2, 15, 0), "D-ACME"),
    "renewal-call.srt": (datetime(2026, 3, 9, 10, 30), None),
    "teams-demo.vtt": (datetime(2026, 3, 16, 14, 0), None),
    "meet-followup.vtt": (datetime(2026, 4, 1, 9, 0), None),
}
RATINGS = """\
call_id,rater,criterion_id,level,evidence_segment,note
zoom-discovery,Maria Chen,discovery,4,2,"Asked how dispatch works today, then what a lost truck day costs"
zoom-discovery,Maria Chen,urgency_creation,3,4,
renewal-call,Maria Chen,objection_handling,2,,Did not explore the Routefox discount
teams-demo,Tom Alvarez,objection_handling,4,4,Clarified which budget before answering
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def seed(store: Store, tmp_path: Path) -> None:
    """The team's roster, rubric templates, four calls (reps found by name) and a deal."""
    install_templates(store)
    assert import_reps(store, [write(tmp_path, "reps.csv", ROSTER)]).ok
    for name, (when, deal) in CALLS.items():
        report = import_calls(
            store, [FIXTURES / name], defaults=CallMetadata(date=when, deal_external_id=deal)
        )
        assert report.ok and not report.files[0].warnings, report.files
    deals = "deal_id,account,amount,stage,rep\nD-ACME,Acme Logistics,48000,Closed Won,Dana Ortiz\n"
    assert import_deals(store, [write(tmp_path, "deals.csv", deals)]).ok


@pytest.fixture
def seeded(store: Store, tmp_path: Path) -> Store:
    seed(store, tmp_path)
    return store


@pytest.fixture
def second_store(tmp_path: Path) -> Iterator[Store]:
    database = Database(str(tmp_path / "second.db"))
    database.migrate()
    other = Store(database)
    yield other
    other.close()


def ratings_table(store: Store) -> list[tuple[object, ...]]:
    with store.unit_of_work() as uow:
        return [
            (r.call_id, r.rubric_id, r.criterion_id, r.rater, r.level, r.evidence_segment, r.note)
            for r in uow.scores.ratings(scope=EVERYONE)
        ]


def exported(store: Store, what: str, fmt: ExportFormat, **kwargs: object) -> str:
    out = io.StringIO()
    function = export_calls if what == "calls" else export_ratings
    function(store, out, fmt=fmt, **kwargs)  # type: ignore[operator]
    return out.getvalue()


# --- ratings import ----------------------------------------------------------------------------


def test_ratings_import_finds_the_rubric_and_reimport_updates(
    seeded: Store, tmp_path: Path
) -> None:
    path = write(tmp_path, "ratings.csv", RATINGS)
    first = import_ratings(seeded, [path])
    assert first.ok, first.failed
    assert (first.created, first.updated) == (4, 0)
    rows = ratings_table(seeded)
    assert (
        "zoom-discovery",
        "one-call-close",
        "discovery",
        "Maria Chen",
        4,
        2,
        "Asked how dispatch works today, then what a lost truck day costs",
    ) in rows
    assert (
        "renewal-call",
        "one-call-close",
        "objection_handling",
        "Maria Chen",
        2,
        None,
        "Did not explore the Routefox discount",
    ) in rows
    changed = write(
        tmp_path,
        "again.csv",
        RATINGS.replace("urgency_creation,3,4,", "urgency_creation,2,4,").replace(
            "Tom Alvarez",
            "tom alvarez",  # the same rater, typed differently
        ),
    )
    second = import_ratings(seeded, [changed])
    assert (second.created, second.updated) == (0, 4)
    rows = ratings_table(seeded)
    assert len(rows) == 4
    assert (
        "zoom-discovery",
        "one-call-close",
        "urgency_creation",
        "Maria Chen",
        2,
        4,
        None,
    ) in rows


@pytest.mark.parametrize(
    ("bad_row", "column", "message"),
    [
        ("zoom-discovery,Maria Chen,discovery,6,,", "level", "level 6 is outside 1-5"),
        ("zoom-discovery,Maria Chen,discovery,3.5,,", "level", "'3.5' is not a whole number"),
        ("no-such-call,Maria Chen,discovery,3,,", "call_id", "no call 'no-such-call'"),
        (
            "zoom-discovery,Maria Chen,rapport,3,,",
            "criterion_id",
            "no rubric has a criterion 'rapport'",
        ),
        (
            "zoom-discovery,Maria Chen,discovery,3,99,",
            "evidence_segment",
            "has segments 0-5, not 99",
        ),
        ("zoom-discovery,,discovery,3,,", "rater", "a value is required"),
    ],
)
def test_one_bad_rating_rejects_the_whole_file(
    seeded: Store, tmp_path: Path, bad_row: str, column: str, message: str
) -> None:
    path = write(tmp_path, "ratings.csv", RATINGS + bad_row + "\n")
    report = import_ratings(seeded, [path])
    failure = report.failed[0]
    assert (failure.line, failure.column) == (6, column)
    assert message in (failure.error or "")
    assert ratings_table(seeded) == []  # the four good rows above were not written either


def test_a_criterion_in_two_rubrics_needs_a_rubric(seeded: Store, tmp_path: Path) -> None:
    renamed = template_text("one-call-close").replace("id: one-call-close", "id: smb-close", 1)
    add_rubric_text(seeded, renamed, "smb-close.yaml")
    path = write(tmp_path, "ratings.csv", RATINGS)
    failure = import_ratings(seeded, [path]).failed[0]
    assert failure.line == 2
    assert "criterion 'discovery' is in rubrics one-call-close, smb-close" in (failure.error or "")
    assert "--rubric" in (failure.error or "")
    assert import_ratings(seeded, [path], rubric="smb-close").created == 4
    with_column = write(
        tmp_path,
        "with-rubric.csv",
        "call_id,rubric_id,rater,criterion_id,level\n"
        "zoom-discovery,one-call-close,Maria Chen,discovery,5\n",
    )
    assert import_ratings(seeded, [with_column], rubric="smb-close").created == 1
    assert {r[1] for r in ratings_table(seeded)} == {"smb-close", "one-call-close"}
    with pytest.raises(NotFoundError):
        import_ratings(seeded, [path], rubric="no-such-rubric")


# --- exports -----------------------------------------------------------------------------------


def test_calls_jsonl_round_trips_through_import(
    seeded: Store, second_store: Store, tmp_path: Path, shared_data: Path
) -> None:
    lines = (shared_data / "persuasionforgood-dev.jsonl").read_text().splitlines(keepends=True)
    assert import_calls(seeded, [write(tmp_path, "p4g.jsonl", "".join(lines[:15]))]).ok
    first = exported(seeded, "calls", ExportFormat.jsonl)
    records = [json.loads(line) for line in first.splitlines()]
    assert len(records) == 19
    zoom = next(r for r in records if r["call_id"] == "zoom-discovery")
    assert zoom["rep"] == "Dana Ortiz" and zoom["rep_speaker"] == "Dana Ortiz"
    assert zoom["deal_id"] == "D-ACME" and zoom["outcome"] == {"won": True}
    assert zoom["turns"][2]["start"] == 9.7 and zoom["turns"][2]["end"] == 19.88
    assert zoom["date"] == "2026-03-02T15:00:00"

    export_file = write(tmp_path, "export.jsonl", first)
    report = import_calls(second_store, [export_file])
    assert report.ok and report.created == 19, report.files
    assert exported(second_store, "calls", ExportFormat.jsonl) == first
    again = import_calls(seeded, [export_file])  # into the store it came from: updates only
    assert (again.created, again.updated) == (0, 19)


def test_calls_csv_has_a_row_per_segment(seeded: Store) -> None:
    text = exported(seeded, "calls", ExportFormat.csv)
    rows = list(csv.DictReader(io.StringIO(text)))
    with seeded.unit_of_work() as uow:
        assert len(rows) == uow.calls.segment_count()
    first = rows[0]
    assert first["call_id"] == "zoom-discovery" and first["segment"] == "0"
    assert (first["speaker"], first["role"], first["start"]) == ("Dana Ortiz", "rep", "1.14")
    assert first["text"] == "Hi Sam, thanks for making the time today."


def test_ratings_export_imports_back_unchanged(
    seeded: Store, second_store: Store, tmp_path: Path
) -> None:
    import_ratings(seeded, [write(tmp_path, "ratings.csv", RATINGS)])
    for fmt in (ExportFormat.csv, ExportFormat.jsonl):
        text = exported(seeded, "ratings", fmt)
        path = write(tmp_path, f"ratings-export.{fmt.value}", text)
        report = import_ratings(seeded, [path])
        assert (report.created, report.updated) == (0, 4), report.failed
    csv_text = exported(seeded, "ratings", ExportFormat.csv)
    assert csv_text.splitlines()[0] == (
        "call_id,rubric_id,rater,criterion_id,level,evidence_segment,note"
    )
    # Into another store holding the same calls, the export lands whole and exports the same.
    calls = write(tmp_path, "calls.jsonl", exported(seeded, "calls", ExportFormat.jsonl))
    install_templates(second_store)
    assert import_calls(second_store, [calls]).ok
    assert import_ratings(second_store, [write(tmp_path, "r.csv", csv_text)]).created == 4
    assert exported(second_store, "ratings", ExportFormat.csv) == csv_text


def test_exports_follow_the_viewer_and_the_filters(seeded: Store, tmp_path: Path) -> None:
    import_ratings(seeded, [write(tmp_path, "ratings.csv", RATINGS)])

    def call_ids(**kwargs: object) -> list[str]:
        text = exported(seeded, "calls", ExportFormat.jsonl, **kwargs)
        return [json.loads(line)["call_id"] for line in text.splitlines()]

    everyone = ["zoom-discovery", "renewal-call", "teams-demo", "meet-followup"]
    assert call_ids() == everyone
    west = Viewer("maria", Role.MANAGER, teams=frozenset({"West"}))
    assert call_ids(viewer=west) == ["zoom-discovery", "renewal-call"]
    priya = Viewer("priya", Role.REP, rep="Priya Raman")
    assert call_ids(viewer=priya) == ["teams-demo"]
    since, until = parse_window("2026-03-09", "2026-03-16")  # until: the whole of March 16
    assert call_ids(filters=ExportFilter(since=since, until=until)) == [
        "renewal-call",
        "teams-demo",
    ]
    assert call_ids(filters=ExportFilter(team="East")) == ["teams-demo", "meet-followup"]
    with pytest.raises(NotFoundError, match="no rep 'Priya Raman'"):
        call_ids(viewer=west, filters=ExportFilter(rep="Priya Raman"))
    with pytest.raises(NotFoundError, match="no rep 'Nobody'"):
        call_ids(filters=ExportFilter(rep="Nobody"))
    ratings = exported(seeded, "ratings", ExportFormat.csv, viewer=west)
    assert {row["call_id"] for row in csv.DictReader(io.StringIO(ratings))} == {
        "zoom-discovery",
        "renewal-call",
    }
    tom = exported(seeded, "ratings", ExportFormat.csv, rater="tom alvarez")
    assert [row["call_id"] for row in csv.DictReader(io.StringIO(tom))] == ["teams-demo"]
