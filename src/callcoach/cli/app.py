"""The Typer application, its global options and the state every command reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from callcoach import __version__
from callcoach.settings import Settings

# `callcoach --help` lists commands in the order a new user meets them.
COMMAND_ORDER = (
    *("init", "demo", "import", "rubric", "score", "show", "scorer", "scorecard", "priorities"),
    *(
        "sample",
        "agreement",
        "outcomes",
        "coaching",
        "review",
        "practice",
        "signals",
        "export",
        "serve",
    ),
    "user",
    *("worker", "jobs"),
)


class _OrderedGroup(TyperGroup):
    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        names = super().list_commands(ctx)
        rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda name: (rank.get(name, len(rank)), name))


app = typer.Typer(
    name="callcoach",
    cls=_OrderedGroup,
    help="Evidence-based sales coaching: score every call against your rubric, with evidence.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


@dataclass
class State:
    db: str | None = None
    containers: dict[bool, Any] = field(default_factory=dict)

    def settings(self) -> Settings:
        settings = Settings()
        if self.db:
            settings = settings.model_copy(update={"db": self.db})
        return settings

    def container(self, require_current: bool = True) -> Any:
        """The process's container, built on first use (no database is touched before)."""
        from callcoach.bootstrap import bootstrap

        if require_current not in self.containers:
            self.containers[require_current] = bootstrap(
                self.settings(), require_current=require_current
            )
        return self.containers[require_current]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"callcoach {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database: SQLite file or SQLAlchemy URL. [env: CALLCOACH_DB; default ./callcoach.db]",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Evidence-based sales coaching."""
    ctx.obj = State(db=db)


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if not isinstance(obj, State):
        obj = State()
        ctx.find_root().obj = obj
    return obj


def existing_file(path: Path) -> Path:
    if not path.exists():
        raise typer.BadParameter(f"{path}: no such file")
    return path
