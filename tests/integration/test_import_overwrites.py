"""No import silently overwrites what another file or row gave (issue 14, "silent overwrites").

Each case used to leave only one of two things the user gave; each is now refused with the file
and line, and nothing of the refused file is written.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from callcoach.domain.access import Scope
from callcoach.services.common import ServiceError
from callcoach.services.imports.crm import import_reps
from callcoach.services.imports.manifests import manifest_lookup
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


def jsonl(path: Path, *records: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_one_call_id_given_to_two_files_in_a_manifest_is_refused(
    store: Store, tmp_path: Path
) -> None:
    shutil.copy(FIXTURES / "zoom-discovery.vtt", tmp_path / "a.vtt")
    shutil.copy(FIXTURES / "meet-followup.vtt", tmp_path / "b.vtt")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,call_id\na.vtt,CALL-1\nb.vtt,CALL-1\n")
    with pytest.raises(ServiceError) as caught:
        manifest_lookup(manifest)
    assert f"{manifest}:3" in str(caught.value)
    assert "call id 'CALL-1' is already given on line 2" in str(caught.value)


def test_a_repeated_manifest_row_is_refused_not_won_by_the_last(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,rep\na.vtt,Dana Ortiz\nb.vtt,Sam Lee\na.vtt,Chris Novak\n")
    with pytest.raises(ServiceError, match=r"manifest.csv:4: 'a.vtt' repeats line 2"):
        manifest_lookup(manifest)


def test_two_files_given_one_call_id_in_one_import_keep_both_or_refuse(
    store: Store, tmp_path: Path
) -> None:
    """The same id reaching two files (here: two JSONL files both naming CALL-1): the second
    file is refused, naming the first, and the first call keeps its text."""
    first = jsonl(tmp_path / "one.jsonl", {"call_id": "CALL-1", "turns": TURNS})
    other = [{**t, "text": t["text"] + " Really."} for t in TURNS]
    second = jsonl(tmp_path / "two.jsonl", {"call_id": "CALL-1", "turns": other})
    report = import_calls(store, [first, second])
    assert report.files[0].ok and report.created == 1
    failed = report.files[1]
    assert failed.line == 1
    assert f"already imported from {first.resolve()}:1" in (failed.error or "")
    with store.unit_of_work() as uow:
        call = uow.calls.get("CALL-1", scope=EVERYONE)
    assert call is not None and call.segments[1].text == TURNS[1]["text"]


def test_two_identical_transcripts_under_two_ids_are_refused(store: Store, tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "calls.jsonl",
        {"call_id": "A-1", "rep_speaker": "Dana", "turns": TURNS},
        {"call_id": "B-2", "rep_speaker": "Dana", "turns": TURNS},
    )
    report = import_calls(store, [path])
    assert not report.ok and report.failed[0].line == 2
    assert "call 'B-2' has the same transcript as call 'A-1'" in (report.failed[0].error or "")
    assert call_ids(store) == []  # the file is refused whole

    # Across files too: a stored call and a new file with its text under another id.
    assert import_calls(store, [jsonl(tmp_path / "a.jsonl", {"call_id": "A-1", "turns": TURNS})]).ok
    again = import_calls(store, [jsonl(tmp_path / "b.jsonl", {"call_id": "B-2", "turns": TURNS})])
    assert not again.ok and "same transcript as call 'A-1'" in (again.failed[0].error or "")
    assert call_ids(store) == ["A-1"]


def test_a_roster_row_with_another_reps_email_does_not_rename_that_rep(
    store: Store, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email\nDana Ortiz,dana@brightline.io\n")
    assert import_reps(store, [roster]).ok
    changed = tmp_path / "roster2.csv"
    changed.write_text("name,email\nChris Novak,dana@brightline.io\n")
    report = import_reps(store, [changed])
    failed = report.failed[0]
    assert (failed.line, failed.column) == (2, "email")
    assert "is the email of rep 'Dana Ortiz', not of 'Chris Novak'" in (failed.error or "")
    with store.unit_of_work() as uow:
        assert uow.people.rep_names(scope=EVERYONE) == ["Dana Ortiz"]


def test_one_email_twice_in_a_roster_is_refused(store: Store, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email\nDana Ortiz,dana@brightline.io\nDana O,DANA@brightline.io\n")
    report = import_reps(store, [roster])
    assert report.failed[0].line == 3
    assert "email 'DANA@brightline.io' repeats line 2" in (report.failed[0].error or "")
