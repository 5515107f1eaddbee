"""`callcoach calibration ...`: calibration sets, the same calls rated blind by two managers.

The levels themselves are entered in the web app (`/calibration/ID`), one call at a time, each
rater unable to see the others' levels until every rater has rated every call.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.markup import escape

from callcoach.cli.analytics import emit_json, say
from callcoach.cli.app import app
from callcoach.cli.options import AsOpt, RubricOpt, acting_as
from callcoach.cli.output import FORMAT_OPTION, OutputFormat, console, table

calibration_app = typer.Typer(
    help="Calibration sets: the same calls rated blind by two or more managers, then compared "
    "(and fed to `callcoach agreement`).",
    no_args_is_help=True,
)
app.add_typer(calibration_app, name="calibration")


@calibration_app.command("create")
def create_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name, e.g. 'Q3 calibration, East'.")],
    call: Annotated[
        list[str], typer.Option("--call", help="A call id (repeat; 5 is the method's number).")
    ],
    rater: Annotated[
        list[str], typer.Option("--rater", help="A manager's username (repeat; two or more).")
    ],
    rubric: RubricOpt = None,
    as_user: AsOpt = None,
) -> None:
    """Create a set of calls for managers to rate blind in the web app."""
    from callcoach.services.assessment.calibration_sets import create_calibration_set

    container, viewer = acting_as(ctx, as_user)
    set_id = create_calibration_set(
        container.store,
        viewer,
        name=name,
        rubric=rubric or container.settings.default_rubric,
        call_ids=call,
        raters=rater,
    )
    say(
        f"Calibration set {set_id} created: {', '.join(map(escape, rater))} rate its "
        f"{len(set(call))} call(s) blind at /calibration/{set_id}; "
        f"`callcoach calibration show {set_id}` shows progress."
    )


@calibration_app.command("list")
def list_command(
    ctx: typer.Context, as_user: AsOpt = None, output: OutputFormat = FORMAT_OPTION
) -> None:
    """The calibration sets you created, rate, or (an administrator) every set."""
    from callcoach.services.assessment.calibration_sets import list_calibration_sets

    container, viewer = acting_as(ctx, as_user)
    sets = list_calibration_sets(container.store, viewer)
    if output is OutputFormat.json:
        emit_json([asdict(s) for s in sets])
        return
    if not sets:
        say("No calibration sets yet: `callcoach calibration create --help`.")
        return
    console.print(
        table(
            "Calibration sets",
            ["id", "name", "rubric", "calls", "raters", "state"],
            [
                [
                    s.id,
                    s.name,
                    s.rubric,
                    s.calls,
                    ", ".join(s.raters),
                    "released" if s.released else "rating (blind)",
                ]
                for s in sets
            ],
        )
    )


@calibration_app.command("show")
def show_command(
    ctx: typer.Context,
    set_id: Annotated[int, typer.Argument(help="The set's id.")],
    as_user: AsOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Progress per rater; once every rater is done, every level side by side and the share
    within one point."""
    from callcoach.services.assessment.calibration_sets import show_calibration_set

    container, viewer = acting_as(ctx, as_user)
    view = show_calibration_set(container.store, viewer, set_id)
    if output is OutputFormat.json:
        data = asdict(view)
        for call in data["calls"]:
            call.pop("segments")
        emit_json(data)
        return
    say(f"[bold]{escape(view.name)}[/] · rubric {view.rubric} v{view.rubric_version}")
    for rater in view.raters:
        say(f"  {escape(rater.username)}: {rater.calls_rated} of {len(view.calls)} call(s) rated")
    if not view.released:
        say("Levels stay hidden until every rater has rated every call.")
        return
    crits = [c.id for c in view.criteria]
    rows = []
    for call in view.calls:
        for crit in crits:
            levels = call.levels.get(crit, {})
            rows.append(
                [
                    call.call_id,
                    crit,
                    ", ".join(f"{u} {lvl}" for u, lvl in levels.items()),
                    "yes" if call.agree.get(crit) else "NO",
                ]
            )
    console.print(table("Levels side by side", ["call", "criterion", "levels", "within one"], rows))
    if view.within_one is not None:
        weak = [c for c, share in view.within_one_by_criterion.items() if share < 0.8]
        say(
            f"Within one point: {view.within_one:.0%} of levels (rule: 80% before the rubric is "
            "trusted)" + (f"; anchors to sharpen: {', '.join(weak)}" if weak else "")
        )
