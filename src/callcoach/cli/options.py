"""Options shared by several commands, declared once: the same flag means the same thing everywhere."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from callcoach.cli.output import FORMAT_OPTION, OutputFormat

RubricOpt = Annotated[
    str | None,
    typer.Option("--rubric", "-r", help="Rubric id (default: CALLCOACH_DEFAULT_RUBRIC)."),
]
ScorerOpt = Annotated[
    str | None,
    typer.Option(
        "--scorer",
        help="Machine scorer whose levels count (default: the one that scored the calls, "
        "preferring CALLCOACH_SCORER).",
    ),
]
CycleOpt = Annotated[
    str | None,
    typer.Option("--cycle", help="Quarter like 2026-Q3 (default: the latest with scored calls)."),
]
FromOpt = Annotated[
    datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="Custom window start.")
]
ToOpt = Annotated[
    datetime | None,
    typer.Option("--to", formats=["%Y-%m-%d"], help="Custom window end (inclusive)."),
]
RepOpt = Annotated[str | None, typer.Option("--rep", help="Only this rep.")]
TeamOpt = Annotated[str | None, typer.Option("--team", help="Only this team.")]
FormatOpt = Annotated[OutputFormat, FORMAT_OPTION]
