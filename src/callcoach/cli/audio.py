"""`callcoach import audio`: recordings to transcripts, offline, here or on the workers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from callcoach.cli.app import state
from callcoach.cli.imports import SCORE_OPTION, import_app
from callcoach.cli.jobs import score_imported
from callcoach.cli.output import (
    REPORT_OPTION,
    OutputFormat,
    RichProgress,
    console,
    print_json,
    table,
)
from callcoach.ingest.audio import Channel


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def print_audio_report(report: Any, output: OutputFormat) -> None:
    from callcoach.services.imports.audio import AudioImportReport, FileOutcome

    assert isinstance(report, AudioImportReport)
    if output is OutputFormat.json:
        print_json(
            {
                "ok": report.ok,
                "model": report.model,
                "seconds": round(report.seconds, 2),
                "audio_seconds": round(report.audio_seconds, 2),
                "files": [
                    {
                        "path": f.path,
                        "result": f.outcome.value,
                        "call_id": f.call_id,
                        "job_id": f.job_id,
                        "audio_hash": f.audio_hash,
                        "duration_s": f.duration_s,
                        "mode": f.mode,
                        "turns": f.turns,
                        "speakers": f.speakers,
                        "seconds": round(f.seconds, 2),
                        "detail": f.detail or None,
                    }
                    for f in report.files
                ],
            }
        )
    else:
        colour = {
            FileOutcome.IMPORTED: "green",
            FileOutcome.UPDATED: "green",
            FileOutcome.QUEUED: "cyan",
            FileOutcome.SKIPPED: "yellow",
            FileOutcome.REJECTED: "red",
        }
        rows = [
            [
                Path(f.path).name,
                f"[{colour[f.outcome]}]{f.outcome.value}[/]",
                f.call_id or (f"job {f.job_id}" if f.job_id else ""),
                _minutes(f.duration_s),
                f.mode or "",
                f.turns or "",
                ", ".join(f.speakers),
                f.detail,
            ]
            for f in report.files
        ]
        console.print(
            table(
                "Import audio",
                ["file", "result", "call", "length", "channels", "turns", "speakers", "detail"],
                rows,
            )
        )
        console.print(_summary(report))
    if not report.ok:
        raise typer.Exit(1)


def _summary(report: Any) -> str:
    from callcoach.services.imports.audio import FileOutcome

    done = report.count(FileOutcome.IMPORTED) + report.count(FileOutcome.UPDATED)
    parts = []
    if done:
        audio = report.audio_seconds
        speed = (
            f", {audio / report.seconds:.1f} s of audio per second"
            if report.seconds > 0 and audio > 0
            else ""
        )
        parts.append(
            f"{done} recording(s) transcribed with {report.model} and imported "
            f"({audio / 60:.1f} min of audio in {report.seconds:.0f} s{speed})"
        )
    if queued := report.count(FileOutcome.QUEUED):
        parts.append(
            f"{queued} queued for the workers (`callcoach worker` transcribes them; "
            "`callcoach jobs` shows progress)"
        )
    if skipped := report.count(FileOutcome.SKIPPED):
        parts.append(
            f"{skipped} skipped (already imported, not transcribed again; --force redoes them)"
        )
    if rejected := report.count(FileOutcome.REJECTED):
        parts.append(f"[red]{rejected} rejected whole[/]: nothing of them was written")
    return "; ".join(parts) + "." if parts else "No recordings given."


@import_app.command("audio")
def import_audio_command(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...",
            help="Recordings (WAV, MP3, M4A, FLAC, OGG... anything FFmpeg reads) or directories.",
        ),
    ],
    rep_channel: Annotated[
        Channel,
        typer.Option(help="Stereo recordings: the channel the rep is on (the other: prospect)."),
    ] = Channel.LEFT,
    speakers: Annotated[
        Path | None,
        typer.Option(
            help="Mono recordings: speaker turns (RTTM, or JSON list of {speaker,start,end}). "
            "Default: <recording>.rttm or <recording>.speakers.json beside each file."
        ),
    ] = None,
    rep: Annotated[
        str | None, typer.Option(help="Rep on these calls (name on the roster).")
    ] = None,
    rep_speaker: Annotated[
        str | None,
        typer.Option(help="Mono recordings with speaker turns: the label of the rep's turns."),
    ] = None,
    date: Annotated[datetime | None, typer.Option(help="Call date (ISO 8601).")] = None,
    account: Annotated[str | None, typer.Option(help="Account for these calls.")] = None,
    deal: Annotated[str | None, typer.Option(help="Deal id for these calls.")] = None,
    call_type: Annotated[
        str | None, typer.Option(help="discovery, demo, negotiation, closing...")
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(
            help="A local CTranslate2 Whisper model directory (default: CALLCOACH_WHISPER_MODEL, "
            "else the bundled tiny.en)."
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Transcribe again recordings already imported (updates their calls in place).",
        ),
    ] = False,
    queue: Annotated[
        bool,
        typer.Option(
            "--queue", help="Queue one job per recording for `callcoach worker` instead of here."
        ),
    ] = False,
    score: Annotated[bool | None, SCORE_OPTION] = None,
    output: OutputFormat = REPORT_OPTION,
) -> None:
    """Transcribe call recordings offline (speaker from the stereo channel or speaker turns)."""
    from callcoach.services.imports.audio import AudioImportOptions, import_audio, make_transcriber

    options = AudioImportOptions(
        rep_channel=rep_channel,
        speakers=speakers,
        rep=rep,
        rep_speaker=rep_speaker,
        date=date,
        account=account,
        deal=deal,
        call_type=call_type,
        force=force,
    )
    container = state(ctx).container()
    model_path = str(model.expanduser().resolve()) if model else container.settings.whisper_model
    # Checked here too when queueing: a wrong --model fails now, not on every worker.
    transcriber = make_transcriber(model_path)
    settings = container.settings
    scoring = settings.score_after_import if score is None else score
    if queue:
        from callcoach.bootstrap import celery_queue, job_registry
        from callcoach.services.jobs.queue import enqueue_audio

        report = enqueue_audio(
            container.store,
            celery_queue(container),
            job_registry(container),
            paths,
            options,
            model=model_path,
            score_after={"rubric": settings.default_rubric, "scorer": settings.scorer}
            if scoring
            else None,
            default_attempts=settings.job_max_attempts,
        )
        print_audio_report(report, output)
        return
    with RichProgress() as progress:
        report = import_audio(container.store, paths, options, transcriber, progress=progress)
    try:
        print_audio_report(report, output)
    finally:
        done = ("imported", "updated")
        imported = [f.call_id for f in report.files if f.call_id and f.outcome.value in done]
        score_imported(ctx, imported, scoring)
