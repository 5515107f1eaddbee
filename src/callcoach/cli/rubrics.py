"""`callcoach rubric ...`: validate, add, list and show rubrics."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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


@rubric_app.command("add")
def add(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Rubric YAML file.")],
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Store a rubric; a changed file becomes a new version (scores keep the version they used)."""
    from callcoach.services.rubrics.catalog import RubricInvalidError, add_rubric_file

    try:
        added = add_rubric_file(state(ctx).container().store, file)
    except RubricInvalidError as exc:
        for error in exc.check.errors:
            console.print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(1) from exc
    stored = added.stored
    if output is OutputFormat.json:
        print_json(
            {
                "rubric": stored.rubric.id,
                "version": stored.version,
                "new_version": added.is_new_version,
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
