"""Recordings to calls: real speech (espeak-ng), real files (sox, PyAV), the real Whisper model."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from callcoach.domain.access import Scope
from callcoach.domain.calls import Call, Segment, SpeakerRole
from callcoach.ingest.audio import Channel
from callcoach.ingest.transcribe import Transcriber
from callcoach.services.common import ServiceError
from callcoach.services.imports.audio import (
    AudioImportOptions,
    AudioImportReport,
    FileOutcome,
    import_audio,
    make_transcriber,
)
from callcoach.store.uow import Store
from tests.audio_helpers import (
    ScriptedCall,
    ScriptedLine,
    mono_call,
    normalise,
    require_tools,
    rttm,
    run,
    stereo_call,
    to_m4a,
    word_error_rate,
)

EVERYONE = Scope.system("test: read the whole organisation")

pytestmark = pytest.mark.slow
MAX_WER = 0.25  # tiny.en on synthetic voices scores about 0.05-0.10 here
TIME_TOLERANCE_S = 1.0


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ScriptedCall]:
    """Each recording once per test module: synthesising is quick, but not free."""
    require_tools()
    root = tmp_path_factory.mktemp("recordings")
    calls = {
        "stereo": stereo_call(root, "stereo-call"),
        "right_mp3_bleed": stereo_call(
            root, "right-bleed", rep_channel="right", suffix=".mp3", bleed_db=-30
        ),
        "mono": mono_call(root, "mono-call"),
    }
    calls["m4a"] = ScriptedCall(to_m4a(calls["stereo"].path, root / "stereo-call.m4a"), [])
    return calls


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return make_transcriber(None)


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path


def _only_call(store: Store, report: AudioImportReport) -> Call:
    assert report.ok, [(f.path, f.detail) for f in report.files]
    call_id = report.files[0].call_id
    assert call_id is not None
    with store.unit_of_work() as uow:
        call = uow.calls.get(call_id, scope=EVERYONE)
    assert call is not None
    return call


def _line_of(segment: Segment, lines: list[ScriptedLine]) -> ScriptedLine:
    """The scripted line this transcript turn overlaps most."""
    assert segment.start is not None and segment.end is not None
    start, end = segment.start, segment.end
    return max(lines, key=lambda line: min(end, line.end) - max(start, line.start))


def _check_transcript(call: Call, script: ScriptedCall) -> None:
    """Speakers, timestamps and words of a two-party call against its script."""
    assert len(call.segments) == len(script.lines), [s.text for s in call.segments]
    for segment, line in zip(call.segments, script.lines, strict=True):
        assert _line_of(segment, script.lines) is line
        expected = SpeakerRole.REP if line.speaker == "rep" else SpeakerRole.PROSPECT
        assert segment.role is expected, (segment.text, line.text)
        assert segment.start is not None and segment.end is not None
        assert abs(segment.start - line.start) <= TIME_TOLERANCE_S, (segment, line)
        assert abs(segment.end - line.end) <= TIME_TOLERANCE_S, (segment, line)
    for speaker, role in (("rep", SpeakerRole.REP), ("prospect", SpeakerRole.PROSPECT)):
        heard = [w for s in call.segments if s.role is role for w in normalise(s.text)]
        wer = word_error_rate(script.words(speaker), heard)
        assert wer <= MAX_WER, f"{speaker} WER {wer:.2f}: {' '.join(heard)}"


def test_a_stereo_recording_becomes_a_call_with_speakers_from_the_channels(
    store: Store, recordings: dict[str, ScriptedCall], transcriber: Transcriber
) -> None:
    script = recordings["stereo"]
    options = AudioImportOptions(rep="Dana Ortiz", account="Acme", deal="D-1")
    report = import_audio(store, [script.path], options, transcriber)

    call = _only_call(store, report)
    _check_transcript(call, script)
    assert call.rep == "Dana Ortiz"
    assert {s.speaker for s in call.rep_segments} == {"Dana Ortiz"}
    assert call.deal_external_id == "D-1" and call.account == "Acme"
    assert call.audio_path == str(script.path.resolve())  # the web page plays it from here
    assert call.audio_hash == report.files[0].audio_hash
    assert call.duration_s == pytest.approx(float(run("soxi", "-D", script.path)), abs=0.05)
    assert call.meta["audio"]["mode"] == "stereo"
    # Numbers are kept as digits: the prospect said "40".
    assert "40" in " ".join(s.text for s in call.segments)


def test_rep_on_the_right_channel_of_an_mp3_with_echo_between_channels(
    sqlite_store: Store, recordings: dict[str, ScriptedCall], transcriber: Transcriber
) -> None:
    """Each party leaks into the other's channel 30 dB down: no word is heard twice."""
    script = recordings["right_mp3_bleed"]
    options = AudioImportOptions(rep_channel=Channel.RIGHT, rep="Dana Ortiz")
    call = _only_call(sqlite_store, import_audio(sqlite_store, [script.path], options, transcriber))
    _check_transcript(call, script)
    assert call.meta["audio"]["crosstalk_words_dropped"] > 0


def test_m4a_is_read_like_any_other_recording(
    sqlite_store: Store, recordings: dict[str, ScriptedCall], transcriber: Transcriber
) -> None:
    script = ScriptedCall(recordings["m4a"].path, recordings["stereo"].lines)
    call = _only_call(
        sqlite_store,
        import_audio(sqlite_store, [script.path], AudioImportOptions(rep="Dana"), transcriber),
    )
    assert call.meta["audio"]["codec"] == "aac"
    _check_transcript(call, script)


def test_mono_without_speaker_turns_is_one_speaker_track(
    sqlite_store: Store, recordings: dict[str, ScriptedCall], transcriber: Transcriber
) -> None:
    script = recordings["mono"]
    report = import_audio(sqlite_store, [script.path], AudioImportOptions(), transcriber)
    call = _only_call(sqlite_store, report)
    assert {s.speaker for s in call.segments} == {"Speaker"}
    assert not call.rep_segments
    assert "rep" in report.files[0].detail  # the report says how to name the rep
    heard = [w for s in call.segments for w in normalise(s.text)]
    assert word_error_rate(script.words(), heard) <= MAX_WER


@pytest.mark.parametrize("kind", ["rttm", "json-sidecar"])
def test_mono_with_speaker_turns_assigns_speakers_by_time(
    kind: str,
    sqlite_store: Store,
    recordings: dict[str, ScriptedCall],
    transcriber: Transcriber,
    workdir: Path,
) -> None:
    script = recordings["mono"]
    audio = workdir / "meeting.wav"
    shutil.copy(script.path, audio)
    labels = {"rep": "SPEAKER_00", "prospect": "SPEAKER_01"}
    if kind == "rttm":
        speakers: Path | None = workdir / "turns.rttm"
        assert speakers is not None
        speakers.write_text(rttm(script.lines, "meeting", labels), encoding="utf-8")
    else:
        speakers = None  # found beside the recording
        turns = [
            {"speaker": labels[line.speaker], "start": line.start, "end": line.end}
            for line in script.lines
        ]
        (workdir / "meeting.speakers.json").write_text(json.dumps(turns), encoding="utf-8")
    options = AudioImportOptions(speakers=speakers, rep_speaker="SPEAKER_00", rep="Dana")
    report = import_audio(sqlite_store, [audio], options, transcriber)
    call = _only_call(sqlite_store, report)
    assert report.files[0].mode == "mono+speakers"
    assert [s.speaker for s in call.segments] == [labels[line.speaker] for line in script.lines]
    _check_transcript(call, script)


def test_an_undecodable_file_is_rejected_whole_and_the_others_are_imported(
    store: Store, recordings: dict[str, ScriptedCall], transcriber: Transcriber, workdir: Path
) -> None:
    not_audio = workdir / "notes.wav"
    not_audio.write_text("this is not a recording\n", encoding="utf-8")
    noise = workdir / "garbage.mp3"
    noise.write_bytes(bytes(range(256)) * 40)
    silent = workdir / "silence.wav"
    run("sox", "-n", "-r", "16000", "-c", "2", silent, "trim", "0", "3")
    good = recordings["mono"].path
    report = import_audio(
        store,
        [not_audio, good, noise, silent, workdir / "missing.wav"],
        AudioImportOptions(),
        transcriber,
    )
    outcome = {Path(f.path).name: f for f in report.files}
    assert not report.ok
    assert outcome[good.name].outcome is FileOutcome.IMPORTED
    for name in ("notes.wav", "garbage.mp3", "silence.wav", "missing.wav"):
        assert outcome[name].outcome is FileOutcome.REJECTED, name
        assert outcome[name].detail
    assert "no speech" in outcome["silence.wav"].detail
    assert outcome["missing.wav"].detail == "no such file"
    with store.unit_of_work() as uow:
        assert uow.calls.external_ids(scope=EVERYONE) == [outcome[good.name].call_id]


def test_the_same_recording_is_not_transcribed_twice(
    sqlite_store: Store,
    recordings: dict[str, ScriptedCall],
    transcriber: Transcriber,
    workdir: Path,
) -> None:
    original = recordings["mono"].path
    first = import_audio(sqlite_store, [original], AudioImportOptions(), transcriber)
    copy = workdir / "renamed-copy.wav"
    shutil.copy(original, copy)
    again = import_audio(sqlite_store, [original, copy], AudioImportOptions(), transcriber)
    assert [f.outcome for f in again.files] == [FileOutcome.SKIPPED, FileOutcome.SKIPPED]
    assert {f.call_id for f in again.files} == {first.files[0].call_id}
    assert "already imported" in again.files[1].detail
    with sqlite_store.unit_of_work() as uow:
        assert len(uow.calls.external_ids(scope=EVERYONE)) == 1


def test_force_transcribes_again_and_updates_the_same_call(
    sqlite_store: Store,
    recordings: dict[str, ScriptedCall],
    transcriber: Transcriber,
    workdir: Path,
) -> None:
    """Imported without speaker turns, then again with them: one call, now with speakers."""
    script = recordings["mono"]
    first = import_audio(sqlite_store, [script.path], AudioImportOptions(), transcriber)
    turns = workdir / "turns.rttm"
    turns.write_text(rttm(script.lines, script.path.stem, {"rep": "A", "prospect": "B"}))
    options = AudioImportOptions(speakers=turns, rep_speaker="A", force=True)
    again = import_audio(sqlite_store, [script.path], options, transcriber)
    assert again.files[0].outcome is FileOutcome.UPDATED
    assert again.files[0].call_id == first.files[0].call_id
    call = _only_call(sqlite_store, again)
    assert [s.speaker for s in call.segments] == ["A", "B"] * 3
    with sqlite_store.unit_of_work() as uow:
        assert len(uow.calls.external_ids(scope=EVERYONE)) == 1


def test_a_directory_is_searched_for_recordings(
    sqlite_store: Store,
    recordings: dict[str, ScriptedCall],
    transcriber: Transcriber,
    workdir: Path,
) -> None:
    folder = workdir / "batch"
    (folder / "nested").mkdir(parents=True)
    shutil.copy(recordings["mono"].path, folder / "nested" / "one.wav")
    (folder / "readme.txt").write_text("not audio", encoding="utf-8")
    report = import_audio(sqlite_store, [folder], AudioImportOptions(), transcriber)
    assert [Path(f.path).name for f in report.files] == ["one.wav"]
    assert report.ok


def test_bad_speaker_files_and_models_are_named(
    sqlite_store: Store,
    recordings: dict[str, ScriptedCall],
    transcriber: Transcriber,
    workdir: Path,
) -> None:
    bad = workdir / "turns.rttm"
    bad.write_text("SPEAKER meeting 1 0.5 abc <NA> <NA> A <NA> <NA>\n", encoding="utf-8")
    report = import_audio(
        sqlite_store, [recordings["mono"].path], AudioImportOptions(speakers=bad), transcriber
    )
    detail = report.files[0].detail
    assert report.files[0].outcome is FileOutcome.REJECTED
    assert str(bad) in detail and "line 1" in detail and "number" in detail
    with pytest.raises(ServiceError, match="not a CTranslate2 Whisper model"):
        make_transcriber(str(workdir))
    listing = workdir / "turns.json"
    listing.write_text('[{"speaker": "A", "start": 1}]', encoding="utf-8")
    with pytest.raises(ServiceError, match="one recording"):
        import_audio(
            sqlite_store,
            [recordings["mono"].path, recordings["stereo"].path],
            AudioImportOptions(speakers=listing),
            transcriber,
        )
