"""`callcoach import ...`: transcripts, CRM exports, ratings and scores."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from callcoach.cli.app import app, state
from callcoach.cli.output import (
    REPORT_OPTION,
    OutputFormat,
    RichProgress,
    console,
    print_json,
    table,
)

import_app = typer.Typer(
    help="Import transcripts, CRM exports (deals, activities, reps), ratings and scores.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")


def print_import_report(report: object, output: OutputFormat, what: str = "calls") -> None:
    """One table for every import command: a row per file, failures with file, line, reason."""
    from callcoach.services.imports import ImportReport

    assert isinstance(report, ImportReport)
    if output is OutputFormat.json:
        print_json(
            {
                "ok": report.ok,
                "created": report.created,
                "updated": report.updated,
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
                        "warnings": f.warnings,
                    }
                    for f in report.files
                ],
            }
        )
    else:
        rows = []
        for f in report.files:
            result = "[green]imported[/]" if f.ok else "[red]rejected[/]"
            detail = (
                f"line {f.line}: {f.error}" if f.error and f.line else (f.error or "")
            ) or "; ".join(f.warnings)
            rows.append([f.path, f.format or "?", result, f.created, f.updated, detail])
        console.print(
            table(
                f"Import {what}",
                ["file", "format", "result", "new", "updated", "detail"],
                rows,
            )
        )
        console.print(
            f"{report.created} new and {report.updated} updated {what} from "
            f"{len(report.files) - len(report.failed)} file(s); {len(report.failed)} file(s) "
            "rejected whole, nothing of them written."
            if report.failed
            else f"{report.created} new and {report.updated} updated {what} "
            f"from {len(report.files)} file(s)."
        )
    if not report.ok:
        raise typer.Exit(1)


@import_app.command("calls")
def import_calls_command(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help="Transcript files or directories.")
    ],
    format_name: Annotated[
        str | None,
        typer.Option("--format", help="Transcript format (default: detected per file)."),
    ] = None,
    rep_speaker: Annotated[
        str | None, typer.Option(help="Speaker label of the rep in these transcripts.")
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
    output: OutputFormat = REPORT_OPTION,
) -> None:
    """Import call transcripts (VTT, SRT, Whisper/Deepgram/AssemblyAI JSON, text, JSONL)."""
    from callcoach.ingest.transcript import CallMetadata
    from callcoach.services.imports import import_calls

    defaults = None
    if any(v is not None for v in (rep, date, account, deal, call_type)):
        defaults = CallMetadata(
            rep=rep, date=date, account=account, deal_external_id=deal, call_type=call_type
        )
    lookup = None
    if manifest is not None:
        from callcoach.services.manifests import manifest_lookup

        lookup = manifest_lookup(manifest)
    store = state(ctx).container().store
    with RichProgress() as progress:
        report = import_calls(
            store,
            paths,
            format_name=format_name,
            rep_speaker=rep_speaker,
            defaults=defaults,
            manifest=lookup,
            progress=progress,
        )
    print_import_report(report, output)
