"""Bad values and hostile files through the import service, on both backends (issue 14).

Each used to pass into the store or stop the import with a traceback: now each file is refused
with its line and reason, nothing of it is written, and the other files of the import go on.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from callcoach.domain.access import Scope
from callcoach.ingest.transcript import MAX_CALL_CHARS, MAX_TURN_CHARS
from callcoach.services.imports.crm import import_activities
from callcoach.services.imports.transcripts import import_calls
from callcoach.store.uow import Store

EVERYONE = Scope.system("test: read the whole organisation")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"
TURNS = [
    {"speaker": "Dana", "text": "Thanks for making time today. What made you take this call?"},
    {"speaker": "Sam", "text": "We type every order into a spreadsheet every Friday."},
]


def call_ids(store: Store) -> list[str]:
    with store.unit_of_work() as uow:
        return sorted(uow.calls.external_ids(scope=EVERYONE))


def test_deeply_nested_json_is_refused_and_the_other_files_still_import(
    store: Store, tmp_path: Path
) -> None:
    nested = tmp_path / "nested.json"
    nested.write_text('{"segments": ' + "[" * 50_000 + "]" * 50_000 + "}")
    nested_line = tmp_path / "nested.jsonl"
    deep = '{"a":' * 5_000 + "1" + "}" * 5_000
    nested_line.write_text(
        json.dumps({"call_id": "x", "turns": TURNS})[:-1] + f', "annotations": {deep}}}\n'
    )
    good = tmp_path / "good.vtt"
    shutil.copy(FIXTURES / "zoom-discovery.vtt", good)

    report = import_calls(store, [nested, nested_line, good])

    assert [f.ok for f in report.files] == [False, False, True]
    assert "nested too deeply" in (report.files[0].error or "")
    assert report.files[1].line == 1 and "nested too deeply" in (report.files[1].error or "")
    assert call_ids(store) == ["good"]


def test_a_nul_character_is_refused_with_its_line_on_every_backend(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "calls.jsonl"
    bad = [TURNS[0], {"speaker": "Sam", "text": "We type\u0000 every order."}]
    path.write_text(
        json.dumps({"call_id": "ok", "turns": TURNS})
        + "\n"
        + json.dumps({"call_id": "nul", "turns": bad})
        + "\n"
    )
    report = import_calls(store, [path])
    assert not report.ok and report.failed[0].line == 2
    assert "NUL character" in (report.failed[0].error or "")
    assert call_ids(store) == []


@pytest.mark.parametrize(
    ("segments", "problem"),
    [
        ('[{"start": NaN, "end": 2, "text": "hello there"}]', "'NaN' is not a finite number"),
        ('[{"start": 0, "end": Infinity, "text": "hello"}]', "'Infinity' is not a finite"),
        ('[{"start": 0, "end": 1e999, "text": "hello"}]', "'1e999' is not a finite number"),
        ('[{"start": -3, "end": 2, "text": "hello"}]', "greater than or equal to 0"),
        ('[{"start": 5, "end": 2, "text": "hello"}]', "ends (2.0) before it starts (5.0)"),
        (
            '[{"start": 5, "end": 6, "text": "a"},\n {"start": 1, "end": 2, "text": "b"}]',
            "segment 1 starts (1.0) before the segment before it (5.0)",
        ),
    ],
)
def test_whisper_json_times_must_be_real_and_in_order(
    store: Store, tmp_path: Path, segments: str, problem: str
) -> None:
    path = tmp_path / "call.json"
    path.write_text('{"language": "en",\n "segments": ' + segments + "}")
    report = import_calls(store, [path])
    assert not report.ok and problem in (report.failed[0].error or "")
    assert call_ids(store) == []


@pytest.mark.parametrize(
    ("turn", "problem"),
    [
        ('"start": NaN', "'NaN' is not a finite number"),
        ('"start": -Infinity', "'-Infinity' is not a finite number"),
        ('"start": -1', "greater than or equal to 0"),
        ('"start": 4, "end": 2', "ends (2.0) before it starts (4.0)"),
    ],
)
def test_jsonl_times_must_be_real(store: Store, tmp_path: Path, turn: str, problem: str) -> None:
    path = tmp_path / "calls.jsonl"
    path.write_text(
        '{"call_id": "a", "turns": [{"speaker": "Dana", "text": "Hello there", ' + turn + "}]}\n"
    )
    report = import_calls(store, [path])
    assert report.failed[0].line == 1 and problem in (report.failed[0].error or "")


def test_jsonl_turns_out_of_time_order_and_an_infinite_duration_are_refused(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "calls.jsonl"
    turns = [{**TURNS[0], "start": 9.0}, {**TURNS[1], "start": 3.0}]
    path.write_text(
        json.dumps({"call_id": "a", "turns": TURNS, "duration_s": 60})
        + "\n"
        + json.dumps({"call_id": "b", "turns": turns})
        + "\n"
    )
    report = import_calls(store, [path])
    assert report.failed[0].line == 2
    assert "turns.1.start: 3.0 is before the turn before it (9.0)" in (report.failed[0].error or "")
    path.write_text(
        '{"call_id": "a", "turns": [{"speaker": "A", "text": "b"}], "duration_s": 1e400}'
    )
    assert "not a finite number" in (import_calls(store, [path]).failed[0].error or "")


def test_integers_too_large_for_the_store_are_refused_with_the_cell(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "activities.csv"
    path.write_text("rep,date,calls\nDana Ortiz,2026-03-02,99999999999999999999\n")
    report = import_activities(store, [path])
    failed = report.failed[0]
    assert (failed.line, failed.column) == (2, "calls")
    assert "larger than 2,147,483,647" in (failed.error or "")
    path.write_text("rep,date,calls\nDana Ortiz,2026-03-02,1e400\n")
    assert "larger than" in (import_activities(store, [path]).failed[0].error or "")
    path.write_text(
        '{"segments": [{"start": 1' + "0" * 5000 + ', "end": 2, "text": "hi"}]}', encoding="utf-8"
    )
    huge = tmp_path / "huge.json"
    shutil.move(path, huge)
    assert "thousands of digits" in (import_calls(store, [huge]).failed[0].error or "")


def test_a_long_turn_is_split_and_a_call_beyond_the_limit_is_refused(
    store: Store, tmp_path: Path
) -> None:
    sentence = "We type every order into a spreadsheet and it takes most of Friday. "
    long_text = sentence * (3 * MAX_TURN_CHARS // len(sentence))
    path = tmp_path / "long.jsonl"
    turns = [TURNS[0], {"speaker": "Sam", "text": long_text, "start": 10.0, "end": 310.0}]
    path.write_text(json.dumps({"call_id": "long", "rep_speaker": "Dana", "turns": turns}) + "\n")
    assert import_calls(store, [path]).ok
    with store.unit_of_work() as uow:
        call = uow.calls.get("long", scope=EVERYONE)
    assert call is not None and len(call.segments) >= 4
    pieces = call.segments[1:]
    assert all(len(s.text) <= MAX_TURN_CHARS and s.speaker == "Sam" for s in pieces)
    assert " ".join(s.text for s in pieces) == long_text.strip()
    assert pieces[0].start == 10.0 and pieces[-1].end == 310.0

    too_long = tmp_path / "too-long.jsonl"
    many = [{"speaker": "Dana" if n % 2 else "Sam", "text": sentence * 50} for n in range(400)]
    assert sum(len(t["text"]) for t in many) > MAX_CALL_CHARS
    too_long.write_text(json.dumps({"call_id": "huge", "turns": many}) + "\n")
    report = import_calls(store, [too_long])
    assert report.failed[0].line == 1
    assert f"a call may have at most {MAX_CALL_CHARS:,}" in (report.failed[0].error or "")
    assert call_ids(store) == ["long"]
