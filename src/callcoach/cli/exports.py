"""`callcoach export ...`: calls and ratings as JSON Lines or CSV (scores: see the analytics)."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from callcoach.cli.app import app, state
from callcoach.cli.output import RichProgress, err_console, fail
from callcoach.services.exchange.calls import ExportFilter, ExportFormat, ExportSummary

if TYPE_CHECKING:
    from callcoach.store.uow import Store

export_app = typer.Typer(
    help="Export calls, ratings and scores as JSON Lines or CSV.", no_args_is_help=True
)
app.add_typer(export_app, name="export")

OUT_OPTION = typer.Option(
    "--out", "-o", help="File to write (written whole, or not at all). Default: standard output."
)
REP_OPTION = typer.Option(help="Only this rep's calls.")
TEAM_OPTION = typer.Option(help="Only calls of this team's reps.")
SINCE_OPTION = typer.Option(help="Only calls on or after this date (YYYY-MM-DD or ISO 8601).")
UNTIL_OPTION = typer.Option(help="Only calls up to this date, inclusive (YYYY-MM-DD or ISO 8601).")


@contextmanager
def output_stream(out: Path | None) -> Iterator[TextIO]:
    """Standard output, or a file that appears only once complete (a temporary file renamed)."""
    if out is None:
        yield sys.stdout
        return
    directory = out.parent if str(out.parent) else Path()
    if not directory.is_dir():
        raise fail(f"{out}: the folder {directory} does not exist")
    descriptor, name = tempfile.mkstemp(dir=directory, prefix=f".{out.name}.", suffix=".part")
    os.close(descriptor)
    partial = Path(name)
    try:
        with partial.open("w", encoding="utf-8", newline="") as handle:
            yield handle
        partial.replace(out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def run_export(
    ctx: typer.Context,
    out: Path | None,
    export: Callable[[Store, TextIO], ExportSummary],
    describe: Callable[[ExportSummary], str],
) -> None:
    """Write an export through a service, then say what was written (on stderr)."""
    from callcoach.services.common import ServiceError

    store = state(ctx).container().store
    try:
        with output_stream(out) as stream:
            summary = export(store, stream)
    except ServiceError as exc:
        raise fail(str(exc)) from exc
    where = str(out) if out else "standard output"
    err_console.print(f"Exported {describe(summary)} to {where}.", highlight=False)


def _filters(
    rep: str | None, team: str | None, since: str | None, until: str | None
) -> ExportFilter:
    from callcoach.services.common import ServiceError
    from callcoach.services.exchange.calls import parse_window

    try:
        start, end = parse_window(since, until)
    except ServiceError as exc:
        raise fail(str(exc)) from exc
    return ExportFilter(rep=rep, team=team, since=start, until=end)


@export_app.command("calls")
def export_calls_command(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="jsonl: the conversation format (imports back with `callcoach import calls`); "
            "csv: one row per transcript segment.",
        ),
    ] = ExportFormat.jsonl,
    out: Annotated[Path | None, OUT_OPTION] = None,
    rep: Annotated[str | None, REP_OPTION] = None,
    team: Annotated[str | None, TEAM_OPTION] = None,
    since: Annotated[str | None, SINCE_OPTION] = None,
    until: Annotated[str | None, UNTIL_OPTION] = None,
) -> None:
    """Export calls with their transcripts, oldest first."""
    from callcoach.services.exchange.calls import export_calls

    filters = _filters(rep, team, since, until)

    def export(store: Store, stream: TextIO) -> ExportSummary:
        with RichProgress() as progress:
            return export_calls(store, stream, fmt=fmt, filters=filters, progress=progress)

    def describe(summary: ExportSummary) -> str:
        unit = "segment rows" if fmt is ExportFormat.csv else "lines"
        return f"{summary.calls} call(s) ({summary.records} {unit})"

    run_export(ctx, out, export, describe)


@export_app.command("ratings")
def export_ratings_command(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="csv or jsonl, with the columns `callcoach import ratings` reads.",
        ),
    ] = ExportFormat.csv,
    out: Annotated[Path | None, OUT_OPTION] = None,
    rubric: Annotated[str | None, typer.Option(help="Only ratings on this rubric.")] = None,
    rater: Annotated[str | None, typer.Option(help="Only this rater's ratings.")] = None,
    rep: Annotated[str | None, REP_OPTION] = None,
    team: Annotated[str | None, TEAM_OPTION] = None,
    since: Annotated[str | None, SINCE_OPTION] = None,
    until: Annotated[str | None, UNTIL_OPTION] = None,
) -> None:
    """Export human ratings (managers' levels per call and criterion)."""
    from callcoach.services.exchange.calls import export_ratings

    filters = _filters(rep, team, since, until)

    def export(store: Store, stream: TextIO) -> ExportSummary:
        return export_ratings(store, stream, fmt=fmt, filters=filters, rubric=rubric, rater=rater)

    run_export(ctx, out, export, lambda s: f"{s.records} rating(s) of {s.calls} call(s)")
