"""`callcoach import ...`: transcripts, CRM exports, ratings and scores."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from callcoach.cli.app import app, state
from callcoach.cli.jobs import score_imported
from callcoach.cli.output import (
    REPORT_OPTION,
    OutputFormat,
    RichProgress,
    console,
    fail,
    print_json,
)
from callcoach.ingest.csv_cells import DateOrder

if TYPE_CHECKING:
    from callcoach.services.imports.reports import ImportReport

import_app = typer.Typer(
    help="Import transcripts, CRM exports (deals, activities, reps, quotas), ratings and scores.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")

DATE_ORDER_OPTION = typer.Option(
    "--date-order",
    help="How to read dates like 03/04/2026: mdy (US) or dmy. Default: inferred per file "
    "(a day above 12 tells), else mdy.",
    case_sensitive=False,
)
FILES_ARGUMENT = typer.Argument(
    metavar="FILE", help="CSV files (each imported whole or not at all)."
)


def display_path(path: str) -> str:
    """A path as short as it can be while still unambiguous: relative to here when inside."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return relative if not relative.startswith("..") and len(relative) < len(path) else path


def _common_folder(paths: list[str]) -> str | None:
    """The folder all files are in (said once in the title, so the file column stays narrow)."""
    parents = [str(Path(p).parent) for p in paths]
    try:
        common = os.path.commonpath(parents) if parents else ""
    except ValueError:  # absolute and relative paths mixed
        return None
    return common or None


def _report_json(report: ImportReport, what: str) -> None:
    print_json(
        {
            "ok": report.ok,
            "what": what,
            "created": report.created,
            "updated": report.updated,
            "new_reps": report.new_reps,
            "files": [
                {
                    "path": f.path,
                    "format": f.format,
                    "ok": f.ok,
                    "created": f.created,
                    "updated": f.updated,
                    "new_reps": f.new_reps,
                    "error": f.error,
                    "line": f.line,
                    "column": f.column,
                    "warnings": f.warnings,
                    "hints": f.hints,
                }
                for f in report.files
            ],
        }
    )


def _report_table(report: ImportReport, what: str) -> None:
    """A narrow table (a row per file), then each problem on a line of its own, never folded."""
    shown = [display_path(f.path) for f in report.files]
    folder = _common_folder(shown)
    names = [os.path.relpath(p, folder) if folder else p for p in shown]
    title = f"Import {what}" + (f" from {folder}{os.sep}" if folder else "")
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("file", overflow="fold")
    table.add_column("format", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("new", justify="right", no_wrap=True)
    table.add_column("updated", justify="right", no_wrap=True)
    for name, f in zip(names, report.files, strict=True):
        if f.ok:
            result = "[green]imported[/]" + (" [yellow]![/]" if f.warnings else "")
        else:
            result = "[bold red]rejected[/]" + (f" [red](line {f.line})[/]" if f.line else "")
        table.add_row(name, f.format or "?", result, str(f.created), str(f.updated))
    console.print(table)
    for name, f in zip(names, report.files, strict=True):
        if f.error:
            where = f"{name}, line {f.line}" if f.line else name
            console.print(f"[bold red]rejected[/] {where}: {f.error}", highlight=False)
        for warning in f.warnings:
            console.print(f"[yellow]warning[/] {name}: {warning}", highlight=False)
    for hint in report.hints:
        console.print(f"[yellow]note:[/] {hint}", highlight=False)
    files = len(report.files)
    summary = f"{report.created} new and {report.updated} updated {what}"
    if report.new_reps:
        summary += f" ({report.new_reps} rep(s) added to the roster)"
    if report.failed:
        console.print(
            f"{summary} from {files - len(report.failed)} of {files} file(s); "
            f"[bold red]{len(report.failed)} file(s) rejected whole[/], nothing of them "
            "written: fix the line named and import them again.",
            highlight=False,
        )
    else:
        console.print(f"{summary} from {files} file(s).", highlight=False)


def print_import_report(report: object, output: OutputFormat, what: str = "calls") -> None:
    """One report for every import command: a row per file, failures with file, line, reason.

    Exits with status 1 when any file was rejected.
    """
    from callcoach.services.imports.reports import ImportReport

    assert isinstance(report, ImportReport)
    if output is OutputFormat.json:
        _report_json(report, what)
    else:
        _report_table(report, what)
    if not report.ok:
        raise typer.Exit(1)


SCORE_OPTION = typer.Option(
    "--score/--no-score",
    help="Score the imported calls as a job, on the default rubric with the default scorer "
    "[default: CALLCOACH_SCORE_AFTER_IMPORT, on].",
    show_default=False,
)


def _run(
    ctx: typer.Context,
    what: str,
    output: OutputFormat,
    call: Callable[..., object],
    after: Callable[[object], None] | None = None,
) -> None:
    """Run an import service with a progress bar, print its report, then `after(report)`
    (the scoring of imported calls); service errors exit 1, and so does a rejected file."""
    from callcoach.services.common import ServiceError

    store = state(ctx).container().store
    try:
        with RichProgress() as progress:
            report = call(store, progress)
    except ServiceError as exc:
        raise fail(str(exc)) from exc
    try:
        print_import_report(report, output, what)
    finally:
        if after is not None:
            after(report)


@import_app.command("calls")
def import_calls_command(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help="Transcript files or directories.")
    ],
    format_name: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Transcript format (default: detected per file): conversation-jsonl, webvtt, "
            "srt, deepgram-json, assemblyai-json, whisper-json, text.",
        ),
    ] = None,
    rep_speaker: Annotated[
        str | None,
        typer.Option(
            help="Speaker label of the rep in these transcripts (e.g. 'Dana Ortiz', 'A')."
        ),
    ] = None,
    rep: Annotated[
        str | None, typer.Option(help="Rep for every call (name on the roster).")
    ] = None,
    date: Annotated[
        datetime | None, typer.Option(help="Call date for every call (ISO 8601).")
    ] = None,
    account: Annotated[str | None, typer.Option(help="Account for every call.")] = None,
    deal: Annotated[str | None, typer.Option(help="Deal id for every call.")] = None,
    call_type: Annotated[
        str | None, typer.Option(help="discovery, demo, negotiation, closing...")
    ] = None,
    manifest: Annotated[
        Path | None,
        typer.Option(help="CSV of call metadata: file or call_id, rep, date, account, deal_id..."),
    ] = None,
    score: Annotated[bool | None, SCORE_OPTION] = None,
    output: OutputFormat = REPORT_OPTION,
) -> None:
    """Import call transcripts (VTT, SRT, Whisper/Deepgram/AssemblyAI JSON, text, JSONL)."""
    from callcoach.ingest.transcript import CallMetadata
    from callcoach.services.common import ServiceError
    from callcoach.services.imports.transcripts import import_calls

    defaults = None
    if any(v is not None for v in (rep, date, account, deal, call_type)):
        defaults = CallMetadata(
            rep=rep, date=date, account=account, deal_external_id=deal, call_type=call_type
        )
    lookup = None
    if manifest is not None:
        from callcoach.services.imports.manifests import manifest_lookup

        try:
            lookup = manifest_lookup(manifest)
        except ServiceError as exc:
            raise fail(str(exc)) from exc
    _run(
        ctx,
        "calls",
        output,
        lambda store, progress: import_calls(
            store,
            paths,
            format_name=format_name,
            rep_speaker=rep_speaker,
            defaults=defaults,
            manifest=lookup,
            progress=progress,
        ),
        after=lambda report: score_imported(
            ctx, [c for f in getattr(report, "files", []) for c in f.call_ids], score
        ),
    )


@import_app.command("deals")
def import_deals_command(
    ctx: typer.Context,
    files: Annotated[list[Path], FILES_ARGUMENT],
    date_order: Annotated[DateOrder | None, DATE_ORDER_OPTION] = None,
    output: OutputFormat = REPORT_OPTION,
) -> None:
    """Import deals: a Salesforce opportunity or HubSpot deal export, or our own columns."""
    from callcoach.services.imports.crm import import_deals

    _run(
        ctx,
        "deals",
        output,
        lambda store, progress: import_deals(
            store, files, date_order=date_order, progress=progress
        ),
    )


@import_app.command("reps")
def import_reps_command(
    ctx: typer.Context,
    files: Annotated[list[Path], FILES_ARGUMENT],
    date_order: Annotated[DateOrder | None, DATE_ORDER_OPTION] = None,
    output: OutputFormat = REPORT_OPTION,
) -> None:
    """Import the roster: name, email, team, manager, start_date (for tenure)."""
    from callcoach.services.imports.crm import import_reps

    _run(
        ctx,
        "reps",
        output,
        lambda store, progress: import_reps(store, files, date_order=date_order, progress=progress),
    )


@import_app.command("activities")
def import_activities_command(
    ctx: typer.Context,
    files: Annotated[list[Path], FILES_ARGUMENT],
    date_order: Annotated[DateOrder | None, DATE_ORDER_OPTION] = None,
    output: OutputFormat = REPORT_OPTION,
) -> None:
    """Import activity per rep per day: calls_made, meetings_booked, proposals_sent."""
    from callcoach.services.imports.crm import import_activities

    _run(
        ctx,
        "activities",
        output,
        lambda store, progress: import_activities(
            store, files, date_order=date_order, progress=progress
        ),
    )


@import_app.command("quotas")
def import_quotas_command(
    ctx: typer.Context,
    files: Annotated[list[Path], FILES_ARGUMENT],
    date_order: Annotated[DateOrder | None, DATE_ORDER_OPTION] = None,
    output: OutputFormat = REPORT_OPTION,
) -> None:
    """Import quotas: rep, period (2026-Q3, 2026-07...) or period_start/period_end, amount."""
    from callcoach.services.imports.crm import import_quotas

    _run(
        ctx,
        "quotas",
        output,
        lambda store, progress: import_quotas(
            store, files, date_order=date_order, progress=progress
        ),
    )


@import_app.command("ratings")
def import_ratings_command(
    ctx: typer.Context,
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE", help="Ratings CSV or JSONL files.")
    ],
    rubric: Annotated[
        str | None,
        typer.Option(
            help="Rubric of rows without a rubric_id (default: the rubric with the criterion)."
        ),
    ] = None,
    output: OutputFormat = REPORT_OPTION,
) -> None:
    """Import human ratings: call_id, rater, criterion_id, level[, evidence_segment, note]."""
    from callcoach.services.imports.ratings import import_ratings

    _run(
        ctx,
        "ratings",
        output,
        lambda store, progress: import_ratings(store, files, rubric=rubric, progress=progress),
    )
