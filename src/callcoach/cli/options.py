"""Options shared by several commands, declared once: the same flag means the same thing everywhere."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

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

AsOpt = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Act as this web user (their role and scope); default: the command line acts as "
        "administrator.",
    ),
]


def acting_as(ctx: typer.Context, as_user: str | None) -> tuple[Any, Any]:
    """The container and the viewer a command acts as: `--as USER`'s, else the administrator."""
    from callcoach.cli.app import state
    from callcoach.domain.access import SYSTEM
    from callcoach.services.accounts.users import get_user

    container = state(ctx).container()
    return container, SYSTEM if not as_user else get_user(container.store, as_user).viewer
