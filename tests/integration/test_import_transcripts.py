"""Transcript files through the import service: identity of calls, manifests, whole-file rules."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from callcoach.domain.access import Scope
from callcoach.domain.calls import SpeakerRole
from callcoach.services.imports.manifests import manifest_lookup
from callcoach.services.imports.transcripts import import_calls
from callcoach.store.uow import Store

EVERYONE = Scope.system("test: read the whole organisation")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"


def call_ids(store: Store) -> list[str]:
    with store.unit_of_work() as uow:
        return sorted(uow.calls.external_ids(scope=EVERYONE))


def test_a_folder_of_every_format_imports_and_reimports(store: Store) -> None:
    first = import_calls(store, [FIXTURES])
    assert first.ok, first.failed
    assert first.created == len(list(FIXTURES.iterdir())) == 10
    assert {f.format for f in first.files} == {
        "webvtt",
        "srt",
        "whisper-json",
        "deepgram-json",
        "assemblyai-json",
        "text",
    }
    again = import_calls(store, [FIXTURES])
    assert (again.created, again.updated) == (0, 10)
    assert len(call_ids(store)) == 10


def test_manifest_names_the_call_its_rep_and_deal(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    folder.mkdir()
    shutil.copy(FIXTURES / "assemblyai-negotiation.json", folder / "rec-0412.json")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,call_id,rep,date,account,deal_id,call_type,rep_speaker\n"
        "recordings/rec-0412.json,ACME-NEG-1,Dana Ortiz,2026-04-12T16:30,Acme Logistics,"
        "D-ACME,negotiation,B\n"
    )
    report = import_calls(store, [folder], manifest=manifest_lookup(manifest))
    assert report.ok and report.created == 1 and not report.files[0].warnings
    with store.unit_of_work() as uow:
        call = uow.calls.get("ACME-NEG-1", scope=EVERYONE)
        assert call is not None
        assert (call.rep, call.date, call.account, call.call_type, call.deal_external_id) == (
            "Dana Ortiz",
            datetime(2026, 4, 12, 16, 30),
            "Acme Logistics",
            "negotiation",
            "D-ACME",
        )
        assert [s.role for s in call.segments][:2] == [SpeakerRole.PROSPECT, SpeakerRole.REP]
        assert call.meta["rep_speaker"] == "Speaker B"


def test_same_file_name_from_two_folders_is_two_calls(store: Store, tmp_path: Path) -> None:
    """Meeting tools name every transcript alike; the second must not overwrite the first."""
    for folder, sample in (("monday", "zoom-discovery.vtt"), ("tuesday", "meet-followup.vtt")):
        (tmp_path / folder).mkdir()
        shutil.copy(FIXTURES / sample, tmp_path / folder / "transcript.vtt")
    first = import_calls(store, [tmp_path / "monday" / "transcript.vtt"])
    second = import_calls(store, [tmp_path / "tuesday" / "transcript.vtt"])
    assert first.created == second.created == 1
    ids = call_ids(store)
    assert ids[0] == "transcript" and ids[1].startswith("transcript-") and len(ids) == 2
    assert "call id 'transcript' belongs to a call from" in second.files[0].warnings[0]
    # Importing either again updates the right call.
    assert import_calls(store, [tmp_path / "tuesday" / "transcript.vtt"]).updated == 1
    assert import_calls(store, [tmp_path / "monday" / "transcript.vtt"]).updated == 1
    assert len(call_ids(store)) == 2


def test_a_renamed_file_with_the_same_transcript_updates(store: Store, tmp_path: Path) -> None:
    import_calls(store, [FIXTURES / "renewal-call.srt"])
    renamed = tmp_path / "novak-renewal-march.srt"
    shutil.copy(FIXTURES / "renewal-call.srt", renamed)
    report = import_calls(store, [renamed])
    assert (report.created, report.updated) == (0, 1)
    assert call_ids(store) == ["renewal-call"]


def test_two_perspectives_of_one_conversation_are_two_calls(
    store: Store, shared_data: Path, tmp_path: Path
) -> None:
    """CaSiNo holds each negotiation twice, once per side: same turns, another rep speaker."""
    lines = (shared_data / "casino.jsonl").read_text().splitlines(keepends=True)[:10]
    path = tmp_path / "casino.jsonl"
    path.write_text("".join(lines))
    report = import_calls(store, [path])
    assert report.ok and report.created == 10
    assert import_calls(store, [path]).updated == 10


def test_forced_format_and_a_file_that_is_not_that_format(store: Store, tmp_path: Path) -> None:
    renamed = tmp_path / "call.log"
    shutil.copy(FIXTURES / "closing-call.txt", renamed)
    assert import_calls(store, [renamed], format_name="text").created == 1
    report = import_calls(store, [FIXTURES / "closing-call.txt"], format_name="webvtt")
    assert report.failed[0].line == 1
    assert "first line must be 'WEBVTT'" in (report.failed[0].error or "")
