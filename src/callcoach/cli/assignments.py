"""`callcoach practice assign|assignments`: structured practice, given and followed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from callcoach.cli.analytics import say
from callcoach.cli.options import acting_as
from callcoach.cli.output import FORMAT_OPTION, OutputFormat, console, print_json, table
from callcoach.cli.practice import practice_app

AsUserOpt = Annotated[
    str | None,
    typer.Option(
        "--as", help="Act as this web user (their role and scope); default: administrator."
    ),
]


def _rows(assignments: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": a.id,
            "rep": a.rep,
            "rubric": a.rubric,
            "target_kind": a.target_kind.value,
            "target": a.target,
            "sessions": a.sessions,
            "due": a.due.isoformat(),
            "source": a.source.value,
            "assigned_by": a.assigned_by,
            "assigned_on": a.assigned_on.isoformat(),
            "review": a.review_id,
            "note": a.note,
        }
        for a in assignments
    ]


@practice_app.command("assign")
def assign_command(
    ctx: typer.Context,
    rep: Annotated[str | None, typer.Option("--rep", help="The rep to assign practice to.")] = None,
    criterion: Annotated[
        str | None, typer.Option("--criterion", help="Practise this criterion of the rubric.")
    ] = None,
    objection: Annotated[
        str | None,
        typer.Option(
            "--objection", help="Practise this objection type (its name, as reviews list it)."
        ),
    ] = None,
    sessions: Annotated[int, typer.Option("--sessions", help="How many practice sessions.")] = 3,
    due: Annotated[
        datetime | None,
        typer.Option("--due", formats=["%Y-%m-%d"], help="Due day (default: in 14 days)."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="What to focus on.")] = None,
    from_review: Annotated[
        int | None,
        typer.Option("--from-review", help="Assign the practice of this review's written plan."),
    ] = None,
    from_coaching_rule: Annotated[
        bool,
        typer.Option(
            "--from-coaching-rule",
            help="Assign 3 sessions due in 30 days to every rep the coaching loop flags "
            "(no improvement on a criterion after two cycles).",
        ),
    ] = False,
    rubric: Annotated[
        str | None, typer.Option("--rubric", help="Rubric (default: the default rubric).")
    ] = None,
    as_user: AsUserOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Assign structured practice: N sessions on a criterion or objection type by a due day (by hand, from a review's plan, or by the coaching loop's rule)."""
    from callcoach.domain.assignments import TargetKind
    from callcoach.services.assignments.assign import (
        assign,
        assign_from_coaching_rule,
        assign_from_plan,
    )

    container, viewer = acting_as(ctx, as_user)
    chosen = sum(bool(x) for x in (rep, from_review is not None, from_coaching_rule))
    if chosen != 1:
        raise typer.BadParameter("give one of --rep, --from-review ID, --from-coaching-rule")
    rubric_id = rubric or container.settings.default_rubric
    if from_review is not None:
        made = assign_from_plan(container.store, from_review, viewer)
    elif from_coaching_rule:
        made = assign_from_coaching_rule(container.store, rubric_id, viewer)
    else:
        if bool(criterion) == bool(objection):
            raise typer.BadParameter("give --criterion ID or --objection NAME")
        kind = TargetKind.CRITERION if criterion else TargetKind.OBJECTION
        assert rep is not None
        made = [
            assign(
                container.store,
                rep,
                kind,
                str(criterion or objection),
                rubric=rubric_id,
                sessions=sessions,
                due=due.date() if due else None,
                note=note,
                viewer=viewer,
            )
        ]
    if output is OutputFormat.json:
        print_json(_rows(made))
        return
    if not made:
        say("Nothing new to assign.")
    for a in made:
        say(
            f"Assigned #{a.id}: {escape(a.rep)}, {a.sessions} session(s) on {a.target_kind.value} "
            f"[bold]{escape(a.target)}[/] by {a.due.isoformat()} ({a.source.value})."
        )


@practice_app.command("assignments")
def assignments_command(
    ctx: typer.Context,
    rep: Annotated[str | None, typer.Option("--rep", help="Only this rep's assignments.")] = None,
    as_user: AsUserOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Practice assignments with their progress: sessions done, the level reached in each attempt, open, done or overdue."""
    from callcoach.services.assignments.assign import assignments_of

    container, viewer = acting_as(ctx, as_user)
    found = assignments_of(container.store, viewer, rep)
    if output is OutputFormat.json:
        print_json(
            [
                {
                    **_rows([p.assignment])[0],
                    "status": p.status.value,
                    "sessions_done": p.sessions_done,
                    "levels": p.levels,
                    "best_level": p.best_level,
                }
                for p in found
            ]
        )
        return
    if not found:
        say("No practice assignments.")
        return
    console.print(
        table(
            "Practice assignments",
            ["#", "rep", "practise", "done", "due", "status", "levels per attempt", "from"],
            [
                [
                    p.assignment.id,
                    p.assignment.rep,
                    p.assignment.target,
                    f"{p.sessions_done}/{p.assignment.sessions}",
                    p.assignment.due.isoformat(),
                    p.status.value,
                    " ".join(str(level) for level in p.levels) or "-",
                    p.assignment.source.value,
                ]
                for p in found
            ],
        )
    )
