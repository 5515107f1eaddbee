"""`callcoach rubric ...`: validate, add, list and show rubrics."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from callcoach.cli.app import app, state
from callcoach.cli.output import FORMAT_OPTION, OutputFormat, console, fail, print_json, table

rubric_app = typer.Typer(help="Write, check and version scoring rubrics.", no_args_is_help=True)
app.add_typer(rubric_app, name="rubric")


@rubric_app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="Rubric YAML file.")],
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Check a rubric file: weights sum to 100, five anchors per criterion, unique ids."""
    from callcoach.services.rubrics.catalog import validate_rubric_file

    check = validate_rubric_file(file)
    if output is OutputFormat.json:
        print_json(
            {
                "file": str(file),
                "valid": check.ok,
                "errors": check.errors,
                "warnings": check.warnings,
            }
        )
    else:
        for warning in check.warnings:
            console.print(f"[yellow]warning:[/] {warning}", highlight=False)
        for error in check.errors:
            console.print(f"[bold red]error:[/] {error}", highlight=False)
        if check.ok and check.rubric is not None:
            console.print(
                f"{file}: valid rubric [bold]{check.rubric.id}[/] "
                f"({len(check.rubric.criteria)} criteria)"
            )
    if not check.ok:
        raise typer.Exit(1)


AsOpt = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Act as this web user (their role and teams: a manager changes only a rubric "
        "their own teams alone use); default: the command line acts as administrator.",
    ),
]


def _acting(ctx: typer.Context, as_user: str | None) -> tuple[Any, Any]:
    from callcoach.domain.access import SYSTEM
    from callcoach.services.accounts.users import get_user
    from callcoach.services.common import NotFoundError

    container = state(ctx).container()
    try:
        viewer = SYSTEM if not as_user else get_user(container.store, as_user).viewer
    except NotFoundError as exc:
        raise fail(str(exc)) from exc
    return container, viewer


def _print_added(added: Any, output: OutputFormat, team: str | None = None) -> None:
    stored = added.stored
    if output is OutputFormat.json:
        print_json(
            {
                "rubric": stored.rubric.id,
                "name": stored.rubric.name,
                "version": stored.version,
                "new_version": added.is_new_version,
                "team": team,
                "warnings": added.warnings,
            }
        )
        return
    for warning in added.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if added.is_new_version:
        console.print(f"Stored rubric [bold]{stored.rubric.id}[/] version {stored.version}.")
    else:
        console.print(
            f"Rubric [bold]{stored.rubric.id}[/] unchanged: still version {stored.version}."
        )
    if team:
        console.print(f"Team [bold]{team}[/] is now reported on {stored.rubric.id}.")


def _refused(exc: Exception) -> typer.Exit:
    from callcoach.services.rubrics.catalog import RubricInvalidError

    if isinstance(exc, RubricInvalidError):
        for error in exc.check.errors:
            console.print(f"[bold red]error:[/] {error}", highlight=False)
        return typer.Exit(1)
    return fail(str(exc))


@rubric_app.command("add")
def add(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Rubric YAML file.")],
    as_user: AsOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Store a rubric; a changed file becomes a new version (scores keep the version they used).

    A manager (`--as`) may change only a rubric their own teams alone are reported on; a rubric
    shared with other teams is changed by an administrator (`rubric copy` saves a team's own).
    """
    from callcoach.services.common import ServiceError
    from callcoach.services.rubrics.catalog import read_rubric_file
    from callcoach.services.rubrics.governance import save_rubric_text

    container, viewer = _acting(ctx, as_user)
    try:
        text = read_rubric_file(file)
        added = save_rubric_text(
            container.store, text, str(file), viewer, container.settings.default_rubric
        )
    except ServiceError as exc:
        raise _refused(exc) from exc
    _print_added(added, output)


@rubric_app.command("copy")
def copy_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Rubric YAML file (the rubric to copy, edited).")],
    team: Annotated[str, typer.Option("--team", help="The team the copy is for.")],
    new_id: Annotated[
        str | None, typer.Option("--id", help="The copy's id (default: the rubric's id + team).")
    ] = None,
    as_user: AsOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Save a rubric as a copy for one team, which is then reported on it (other teams keep
    theirs). A manager copies for their own teams only."""
    from callcoach.ingest.errors import ParseError
    from callcoach.ingest.rubric_yaml import load_rubric_data
    from callcoach.services.common import ServiceError
    from callcoach.services.rubrics.catalog import read_rubric_file
    from callcoach.services.rubrics.governance import save_rubric_copy

    container, viewer = _acting(ctx, as_user)
    try:
        document = load_rubric_data(read_rubric_file(file), str(file))
        added = save_rubric_copy(
            container.store,
            document,
            team,
            viewer,
            container.settings.default_rubric,
            new_id=new_id,
        )
    except ParseError as exc:
        raise fail(str(exc)) from exc
    except ServiceError as exc:
        raise _refused(exc) from exc
    _print_added(added, output, team=team)


@rubric_app.command("assign")
def assign(
    ctx: typer.Context,
    team: Annotated[str, typer.Argument(help="Team name.")],
    rubric_id: Annotated[
        str | None,
        typer.Argument(metavar="[RUBRIC]", help="Rubric id; leave out to use the default again."),
    ] = None,
    as_user: AsOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Report a team on a rubric (administrators)."""
    from callcoach.services.common import ServiceError
    from callcoach.services.rubrics.governance import assign_rubric

    container, viewer = _acting(ctx, as_user)
    try:
        assign_rubric(container.store, team, rubric_id, viewer)
    except ServiceError as exc:
        raise fail(str(exc)) from exc
    shown = rubric_id or f"the default ({container.settings.default_rubric})"
    if output is OutputFormat.json:
        print_json({"team": team, "rubric": rubric_id, "default": rubric_id is None})
    else:
        console.print(f"Team [bold]{team}[/] is now reported on {shown}.")


@rubric_app.command("teams")
def teams(ctx: typer.Context, as_user: AsOpt = None, output: OutputFormat = FORMAT_OPTION) -> None:
    """Each team with the rubric (name and latest version) it is reported on."""
    from callcoach.services.rubrics.governance import team_rubrics

    container, viewer = _acting(ctx, as_user)
    rows = team_rubrics(container.store, viewer, container.settings.default_rubric)
    if output is OutputFormat.json:
        print_json(
            [
                {
                    "team": t.team,
                    "rubric": t.rubric_id,
                    "name": t.rubric_name,
                    "version": t.version,
                    "assigned": t.assigned,
                }
                for t in rows
            ]
        )
        return
    if not rows:
        console.print("No teams yet: import the roster (`callcoach import reps`).")
        return
    console.print(
        table(
            "Rubrics by team",
            ["team", "rubric", "name", "version", "how"],
            [
                [
                    t.team,
                    t.rubric_id,
                    t.rubric_name or "(not stored yet)",
                    t.version or "-",
                    "assigned" if t.assigned else "default",
                ]
                for t in rows
            ],
        )
    )


@rubric_app.command("list")
def list_command(ctx: typer.Context, output: OutputFormat = FORMAT_OPTION) -> None:
    """List stored rubrics with their latest version."""
    from callcoach.services.rubrics.catalog import list_rubrics

    rubrics = list_rubrics(state(ctx).container().store)
    rows = [
        {
            "id": s.rubric.id,
            "name": s.rubric.name,
            "version": s.version,
            "versions": count,
            "criteria": len(s.rubric.criteria),
            "updated": s.created_at.isoformat(timespec="seconds"),
        }
        for s, count in rubrics
    ]
    if output is OutputFormat.json:
        print_json(rows)
        return
    if not rows:
        console.print("No rubrics yet: `callcoach init` adds the templates.")
        return
    console.print(
        table(
            "Rubrics",
            ["id", "name", "version", "criteria", "updated"],
            [[r["id"], r["name"], r["version"], r["criteria"], r["updated"]] for r in rows],
        )
    )


@rubric_app.command("show")
def show(
    ctx: typer.Context,
    rubric_id: Annotated[str, typer.Argument(metavar="ID", help="Rubric id.")],
    version: Annotated[int | None, typer.Option(help="A specific version.")] = None,
    output: OutputFormat = FORMAT_OPTION,
    as_yaml: Annotated[bool, typer.Option("--yaml", help="Print the rubric as YAML.")] = False,
) -> None:
    """Show a rubric: criteria, weights and every level's anchor."""
    from callcoach.services.common import NotFoundError
    from callcoach.services.rubrics.catalog import get_rubric, rubric_yaml

    try:
        stored = get_rubric(state(ctx).container().store, rubric_id, version)
    except NotFoundError as exc:
        raise fail(str(exc)) from exc
    rubric = stored.rubric
    if as_yaml:
        typer.echo(rubric_yaml(rubric), nl=False)
        return
    if output is OutputFormat.json:
        print_json({"version": stored.version, **rubric.canonical()})
        return
    console.print(f"[bold]{rubric.name}[/] ({rubric.id}, version {stored.version})")
    for crit in rubric.criteria:
        console.print(f"\n[bold]{crit.name}[/] [dim]{crit.id}[/], weight {crit.weight:g}%")
        console.print(f"  {crit.description}", highlight=False)
        for level in sorted(crit.anchors):
            console.print(f"  [cyan]{level}[/] {crit.anchors[level]}", highlight=False)
