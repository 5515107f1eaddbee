"""`callcoach export scores` and `callcoach import scores`: machine scores in and out."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from callcoach.cli.app import state
from callcoach.cli.exports import (
    OUT_OPTION,
    REP_OPTION,
    SINCE_OPTION,
    TEAM_OPTION,
    UNTIL_OPTION,
    export_app,
    run_export,
)
from callcoach.cli.imports import import_app, print_import_report
from callcoach.cli.output import REPORT_OPTION, OutputFormat, RichProgress, fail

if TYPE_CHECKING:
    from callcoach.store.uow import Store


class ScoreFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


@export_app.command("scores")
def export_scores_command(
    ctx: typer.Context,
    fmt: Annotated[
        ScoreFormat,
        typer.Option(
            "--format",
            help="jsonl: one line per call and rubric run (imports back with `callcoach import "
            "scores`); csv: one row per call and criterion.",
        ),
    ] = ScoreFormat.jsonl,
    out: Annotated[Path | None, OUT_OPTION] = None,
    rubric: Annotated[
        str | None, typer.Option("--rubric", help="Only this rubric's scores.")
    ] = None,
    scorer: Annotated[
        str | None, typer.Option("--scorer", help="Only this scorer's scores.")
    ] = None,
    rep: Annotated[str | None, REP_OPTION] = None,
    team: Annotated[str | None, TEAM_OPTION] = None,
    since: Annotated[str | None, SINCE_OPTION] = None,
    until: Annotated[str | None, UNTIL_OPTION] = None,
) -> None:
    """Export machine scores with their evidence (every scored run, every rubric version)."""
    from callcoach.services.common import ServiceError
    from callcoach.services.exchange.calls import parse_window
    from callcoach.services.exchange.scores import CallWindow, ScoreExportSummary, export_scores

    try:
        start, end = parse_window(since, until)
    except ServiceError as exc:
        raise fail(str(exc)) from exc
    window = CallWindow(rep=rep, team=team, since=start, until=end)
    summaries: list[ScoreExportSummary] = []

    def export(store: Store, stream: TextIO) -> object:
        summary = export_scores(
            store, stream, fmt.value, rubric=rubric, scorer=scorer, calls=window
        )
        summaries.append(summary)
        return summary

    def describe(_summary: object) -> str:
        s = summaries[0]
        return f"{s.runs} scored run(s) ({s.criteria} criterion scores)"

    run_export(ctx, out, export, describe)  # type: ignore[arg-type]


@import_app.command("scores")
def import_scores_command(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(metavar="FILE.jsonl", help="Scores in the export format.")
    ],
    output: OutputFormat = REPORT_OPTION,
) -> None:
    """Import machine scores made elsewhere (the `export scores` JSONL): all or nothing; a re-import replaces the same call, rubric version and scorer."""
    from callcoach.services.exchange.scores import import_scores

    store = state(ctx).container().store
    with RichProgress() as progress:
        report = import_scores(store, path, progress=progress)
    print_import_report(report, output, what="scored runs")
