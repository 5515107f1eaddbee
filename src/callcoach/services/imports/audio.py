"""Importing recordings: transcribe offline, then the shared import path stores the call.

A recording becomes a `ParsedCall` (ingest.recording) and goes through `import_calls`, so the
rep is identified, the deal linked and the call stored exactly as for a transcript file: one
transaction per file, all or nothing. Recordings already imported (same bytes) are skipped unless
`force` asks to transcribe them again (with speaker turns, another model...): their calls are
then updated in place.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from callcoach.ingest.audio import AUDIO_EXTENSIONS, Channel, file_sha256, probe_duration
from callcoach.ingest.errors import ParseError
from callcoach.ingest.recording import RecordingLayout, read_recording
from callcoach.ingest.registry import FormatRegistry, TranscriptFormat
from callcoach.ingest.transcribe import Transcriber, TranscriberError
from callcoach.ingest.transcript import CallMetadata, ParsedCall
from callcoach.services.common import NoProgress, Progress, ServiceError
from callcoach.services.imports.transcripts import import_calls
from callcoach.store.uow import Store

# Speaker turns placed beside a recording are used when no --speakers file is given.
SIDECAR_SUFFIXES = (".rttm", ".speakers.json")


class FileOutcome(StrEnum):
    IMPORTED = "imported"
    UPDATED = "updated"
    SKIPPED = "skipped"
    REJECTED = "rejected"
    QUEUED = "queued"


@dataclass(frozen=True)
class AudioImportOptions:
    """What the user said about the recordings; JSON-safe so a queued job can carry it."""

    rep_channel: Channel = Channel.LEFT
    speakers: Path | None = None
    rep: str | None = None
    rep_speaker: str | None = None
    date: datetime | None = None
    account: str | None = None
    deal: str | None = None
    call_type: str | None = None
    force: bool = False  # transcribe again recordings already imported, updating their calls

    def to_payload(self) -> dict[str, Any]:
        return {
            "rep_channel": self.rep_channel.value,
            "speakers": str(self.speakers.resolve()) if self.speakers else None,
            "rep": self.rep,
            "rep_speaker": self.rep_speaker,
            "date": self.date.isoformat() if self.date else None,
            "account": self.account,
            "deal": self.deal,
            "call_type": self.call_type,
            "force": self.force,
        }

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> AudioImportOptions:
        return cls(
            rep_channel=Channel(data.get("rep_channel") or Channel.LEFT.value),
            speakers=Path(data["speakers"]) if data.get("speakers") else None,
            rep=data.get("rep"),
            rep_speaker=data.get("rep_speaker"),
            date=datetime.fromisoformat(data["date"]) if data.get("date") else None,
            account=data.get("account"),
            deal=data.get("deal"),
            call_type=data.get("call_type"),
            force=bool(data.get("force", False)),
        )

    @property
    def defaults(self) -> CallMetadata:
        return CallMetadata(
            rep=self.rep,
            date=self.date,
            account=self.account,
            deal_external_id=self.deal,
            call_type=self.call_type,
        )


@dataclass
class AudioFileReport:
    path: str
    outcome: FileOutcome
    call_id: str | None = None
    audio_hash: str | None = None
    duration_s: float | None = None
    mode: str | None = None  # stereo, mono, mono+speakers
    turns: int = 0
    speakers: list[str] = field(default_factory=list)
    seconds: float = 0.0  # time spent transcribing and storing
    detail: str = ""
    job_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is not FileOutcome.REJECTED


@dataclass
class AudioImportReport:
    files: list[AudioFileReport] = field(default_factory=list)
    model: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    def count(self, outcome: FileOutcome) -> int:
        return sum(1 for f in self.files if f.outcome is outcome)

    @property
    def audio_seconds(self) -> float:
        return sum(
            f.duration_s or 0.0
            for f in self.files
            if f.outcome in (FileOutcome.IMPORTED, FileOutcome.UPDATED)
        )


def expand_audio_paths(paths: Sequence[Path]) -> list[Path]:
    """Files as given, and the recordings inside directories (recursively, by extension)."""
    result: list[Path] = []
    for path in paths:
        if path.is_dir():
            result.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS
                )
            )
        else:
            result.append(path)
    return result


def speakers_file_for(audio: Path, options: AudioImportOptions) -> Path | None:
    """The speaker turns for one recording: --speakers, else a sidecar beside it."""
    if options.speakers is not None:
        return options.speakers
    for suffix in SIDECAR_SUFFIXES:
        candidate = audio.with_name(audio.stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def make_transcriber(model: str | None, cpu_threads: int = 0) -> Transcriber:
    """The transcriber for a model path (None: the bundled tiny.en), checked before any file."""
    try:
        return Transcriber(model, cpu_threads=cpu_threads)
    except TranscriberError as exc:
        raise ServiceError(str(exc)) from exc


def check_options(files: Sequence[Path], options: AudioImportOptions) -> None:
    speakers = options.speakers
    if speakers is None:
        return
    if not speakers.is_file():
        raise ServiceError(f"{speakers}: no such speakers file")
    if len(files) > 1 and speakers.suffix.lower() != ".rttm":
        raise ServiceError(
            f"{speakers} holds the speaker turns of one recording: import one audio file with "
            "it, give an RTTM file naming each recording, or put <recording>.rttm or "
            "<recording>.speakers.json beside each recording"
        )


@dataclass
class PlannedFile:
    """A recording to import, after the checks that need no transcription."""

    path: Path
    report: AudioFileReport
    duration: float | None = None
    existing_call: str | None = None  # --force: the call this recording made before


def plan_files(
    store: Store, paths: Sequence[Path], options: AudioImportOptions
) -> tuple[list[AudioFileReport], list[PlannedFile]]:
    """Every file's fate before any transcription: missing, already imported, or to do."""
    files = expand_audio_paths(paths)
    check_options(files, options)
    reports: list[AudioFileReport] = []
    todo: list[PlannedFile] = []
    hashes: dict[Path, str] = {}
    for path in files:
        report = AudioFileReport(path=str(path), outcome=FileOutcome.REJECTED)
        reports.append(report)
        if not path.is_file():
            report.detail = "no such file"
            continue
        try:
            hashes[path] = report.audio_hash = file_sha256(path)
        except OSError as exc:
            report.detail = f"cannot read file: {exc.strerror or exc}"
    with store.unit_of_work() as uow:
        imported = uow.jobs.imported_audio(hashes.values())
    seen: dict[str, str] = {}
    for report in reports:
        digest = report.audio_hash
        if digest is None:
            continue
        if digest in imported and options.force and digest not in seen:
            seen[digest] = report.path
            todo.append(PlannedFile(Path(report.path), report, existing_call=imported[digest]))
        elif digest in imported:
            report.outcome = FileOutcome.SKIPPED
            report.call_id = imported[digest]
            report.detail = f"already imported as call {imported[digest]} (same recording)"
        elif digest in seen:
            report.outcome = FileOutcome.SKIPPED
            report.detail = f"the same recording as {seen[digest]}, given twice"
        else:
            seen[digest] = report.path
            todo.append(PlannedFile(Path(report.path), report))
    return reports, todo


class _SecondsProgress:
    """Counts audio seconds on a Progress that takes whole steps."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.pending = 0.0

    def __call__(self, seconds: float) -> None:
        self.pending += seconds
        whole = int(self.pending)
        if whole:
            self.pending -= whole
            self.progress.advance(whole)


def import_audio(
    store: Store,
    paths: Sequence[Path],
    options: AudioImportOptions,
    transcriber: Transcriber,
    *,
    progress: Progress | None = None,
) -> AudioImportReport:
    """Transcribe and import recordings. A file that fails is reported; the others go on."""
    progress = progress or NoProgress()
    started = time.perf_counter()
    reports, todo = plan_files(store, paths, options)
    for planned in todo:
        planned.duration = probe_duration(planned.path)
    total = sum(p.duration or 0.0 for p in todo)
    if not todo:
        return AudioImportReport(
            files=reports, model=transcriber.model_name, seconds=time.perf_counter() - started
        )
    progress.start(
        f"Transcribing {len(todo)} recording(s), {total / 60:.1f} min of audio (seconds)",
        int(total) + len(todo),
    )
    counter = _SecondsProgress(progress)
    for planned in todo:
        import_recording(store, planned, options, transcriber, counter)
        # Close the gap between the declared and transcribed duration, plus the file's step.
        counter.pending = 0.0
        progress.advance(1)
    return AudioImportReport(
        files=reports, model=transcriber.model_name, seconds=time.perf_counter() - started
    )


def import_recording(
    store: Store,
    planned: PlannedFile,
    options: AudioImportOptions,
    transcriber: Transcriber,
    on_progress: Callable[[float], None] | None = None,
) -> AudioFileReport:
    """One recording through the shared import path: stored whole, or rejected with the reason."""
    path, report = planned.path, planned.report
    started = time.perf_counter()
    speakers = speakers_file_for(path, options)
    layout = RecordingLayout(
        rep_channel=options.rep_channel, speakers_file=speakers, rep_name=options.rep
    )
    parsed_calls: list[ParsedCall] = []

    def read(_path: Path) -> list[ParsedCall]:
        try:
            parsed = read_recording(
                path,
                transcriber,
                layout,
                external_id=planned.existing_call or path.stem,
                audio_hash=report.audio_hash or file_sha256(path),
                on_progress=on_progress,
            )
        except ParseError as exc:
            if exc.path == str(path):
                raise
            # The speakers file is at fault: say so, or "line 3" would point into the audio.
            where = f", line {exc.line}" if exc.line is not None else ""
            raise ParseError(path, None, f"speakers file {exc.path}{where}: {exc.reason}") from exc
        # A file name, not an id from the file (see import_calls), unless it is the id the
        # recording already has (--force updates that call in place).
        parsed.derived_id = planned.existing_call is None
        parsed_calls.append(parsed)
        return [parsed]

    def rep_speaker_of(parsed: ParsedCall) -> CallMetadata | None:
        # Stereo turns carry their roles from the channel; --rep-speaker names a label of the
        # speaker turns of a mono recording.
        if all(turn.role is not None for turn in parsed.turns):
            return None
        return CallMetadata(rep_speaker=options.rep_speaker) if options.rep_speaker else None

    audio_format = TranscriptFormat(
        name="audio",
        summary="a recording, transcribed offline",
        extensions=AUDIO_EXTENSIONS,
        sniff=lambda _path, _head: True,
        read=read,
    )
    result = import_calls(
        store,
        [path],
        format_name="audio",
        defaults=options.defaults,
        manifest=rep_speaker_of,
        registry=FormatRegistry([audio_format]),
    )
    file_result = result.files[0]
    report.seconds = time.perf_counter() - started
    if not file_result.ok:
        report.outcome = FileOutcome.REJECTED
        report.detail = file_result.error or "rejected"
        return report
    parsed = parsed_calls[-1]
    info = parsed.meta.get("audio", {})
    report.outcome = FileOutcome.IMPORTED if file_result.created else FileOutcome.UPDATED
    with store.unit_of_work() as uow:
        # The import path may have renamed the call (a file name another call already has).
        stored_as = uow.jobs.imported_audio([parsed.audio_hash or ""])
    report.call_id = stored_as.get(parsed.audio_hash or "", parsed.external_id)
    report.duration_s = parsed.duration_s
    report.mode = info.get("mode")
    report.turns = len(parsed.turns)
    report.speakers = list(dict.fromkeys(turn.speaker for turn in parsed.turns))
    report.detail = "; ".join(file_result.warnings)
    return report
