"""`callcoach scorer ...`: teach the embedded scorer (calibrate on ratings, evidence feedback)."""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer

from callcoach.cli.app import app, state
from callcoach.cli.options import RubricOpt
from callcoach.cli.output import (
    FORMAT_OPTION,
    OutputFormat,
    RichProgress,
    console,
    fail,
    print_json,
    table,
)
from callcoach.domain.scores import FeedbackVerdict

scorer_app = typer.Typer(
    help="Teach the embedded scorer: calibrate levels on managers' ratings, confirm or reject evidence.",
    no_args_is_help=True,
)
feedback_app = typer.Typer(
    help="Confirm or reject evidence; the scorer learns from every verdict.", no_args_is_help=True
)
app.add_typer(scorer_app, name="scorer")
scorer_app.add_typer(feedback_app, name="feedback")


def _rater() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "manager"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _kappa(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


@scorer_app.command("calibrate")
def calibrate(
    ctx: typer.Context,
    rubric: RubricOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Fit how evidence maps to levels on managers' ratings; report held-out agreement."""
    from callcoach.services.common import ServiceError
    from callcoach.services.scoring.teaching import calibrate as calibrate_rubric

    container = state(ctx).container()
    rubric_id = rubric or container.settings.default_rubric
    try:
        with RichProgress() as progress:
            result = calibrate_rubric(container.store, rubric_id, progress=progress)
    except ServiceError as exc:
        raise fail(str(exc)) from exc
    if output is OutputFormat.json:
        print_json(calibration_json(result))
        return
    print_calibration(result)
    console.print(
        "New scores use the calibration; run `callcoach score --rescore` to update old ones."
    )


def calibration_json(result: Any) -> dict[str, Any]:
    return {
        "rubric": result.rubric_id,
        "version": result.rubric_version,
        "ratings": result.ratings,
        "calls": result.calls,
        "skipped": result.skipped,
        "report": result.report,
    }


def print_calibration(result: Any) -> None:
    """Held-out machine-vs-manager agreement before and after (also printed by `demo`)."""
    report = result.report
    for note in result.skipped:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    console.print(
        f"Calibrated [bold]{result.rubric_id}[/] v{result.rubric_version} on {result.ratings} "
        f"rating(s) of {result.calls} call(s). Agreement is measured on calls held out of each "
        f"fit ({report['folds']}-fold), so it shows what to expect on new calls."
    )
    rows: list[list[Any]] = []
    for name, part in [("all criteria", report), *report["per_criterion"].items()]:
        before, after = part["before"], part["after"]
        rows.append(
            [
                name,
                before["n"],
                f"{_pct(before['exact'])} -> {_pct(after['exact'])}",
                f"{_pct(before['within_one'])} -> {_pct(after['within_one'])}",
                f"{_kappa(before['qwk'])} -> {_kappa(after['qwk'])}",
            ]
        )
    console.print(
        table(
            "Machine vs manager, before -> after calibration",
            ["criterion", "ratings", "same level", "within one level", "weighted kappa"],
            rows,
        )
    )
    console.print("Weighted kappa: 1 = perfect agreement, 0 = no better than chance.")


def _record(
    ctx: typer.Context,
    verdict: FeedbackVerdict,
    call_id: str,
    criterion: str,
    segment: int,
    rubric: str | None,
    rater: str | None,
    note: str | None,
    output: OutputFormat,
) -> None:
    from callcoach.services.common import ServiceError
    from callcoach.services.scoring.teaching import record_feedback

    container = state(ctx).container()
    rubric_id = rubric or container.settings.default_rubric
    try:
        item, created = record_feedback(
            container.store,
            call_id=call_id,
            criterion_id=criterion,
            segment=segment,
            verdict=verdict,
            rubric_id=rubric_id,
            rater=rater or _rater(),
            note=note,
        )
    except ServiceError as exc:
        raise fail(str(exc)) from exc
    if output is OutputFormat.json:
        print_json({**_feedback_json(item), "new": created})
        return
    what = "Confirmed" if verdict is FeedbackVerdict.CONFIRMED else "Rejected"
    changed = "" if created else " (replaces your earlier verdict)"
    console.print(
        f"{what}: turn {segment} of {call_id} {'shows' if verdict is FeedbackVerdict.CONFIRMED else 'does not show'} "
        f"[bold]{criterion}[/] ({rubric_id}){changed}.\n  [dim]{item.speaker}:[/] {item.text}",
        highlight=False,
    )
    console.print("The scorer uses it from the next scoring run (`callcoach score --rescore`).")


CALL_ARG = typer.Argument(metavar="CALL_ID", help="The call's id.")
CRITERION_ARG = typer.Argument(metavar="CRITERION", help="Criterion id in the rubric.")
SEGMENT_ARG = typer.Argument(
    metavar="SEGMENT",
    help="Turn number, from 0, as the call page and `show call` print it (docs/scoring.md).",
)
RATER_OPTION = typer.Option(
    "--rater", help="Who judges. [default: your user name]", show_default=False
)
NOTE_OPTION = typer.Option("--note", help="Why, in a few words.")


@feedback_app.command("confirm")
def confirm(
    ctx: typer.Context,
    call_id: Annotated[str, CALL_ARG],
    criterion: Annotated[str, CRITERION_ARG],
    segment: Annotated[int, SEGMENT_ARG],
    rubric: RubricOpt = None,
    rater: Annotated[str | None, RATER_OPTION] = None,
    note: Annotated[str | None, NOTE_OPTION] = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Confirm that a segment shows the criterion (good evidence)."""
    _record(
        ctx, FeedbackVerdict.CONFIRMED, call_id, criterion, segment, rubric, rater, note, output
    )


@feedback_app.command("reject")
def reject(
    ctx: typer.Context,
    call_id: Annotated[str, CALL_ARG],
    criterion: Annotated[str, CRITERION_ARG],
    segment: Annotated[int, SEGMENT_ARG],
    rubric: RubricOpt = None,
    rater: Annotated[str | None, RATER_OPTION] = None,
    note: Annotated[str | None, NOTE_OPTION] = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Reject a segment as evidence of the criterion (it does not show it)."""
    _record(ctx, FeedbackVerdict.REJECTED, call_id, criterion, segment, rubric, rater, note, output)


def _feedback_json(item: Any) -> dict[str, Any]:
    f = item.feedback
    return {
        "call_id": f.call_id,
        "rubric": f.rubric_id,
        "criterion": f.criterion_id,
        "segment": f.segment,
        "verdict": f.verdict.value,
        "rater": f.rater,
        "note": f.note,
        "at": f.created_at,
        "speaker": item.speaker,
        "text": item.text,
    }


@feedback_app.command("list")
def list_command(
    ctx: typer.Context,
    rubric: Annotated[str | None, typer.Option("--rubric", "-r", help="Only this rubric.")] = None,
    call_id: Annotated[str | None, typer.Option("--call", help="Only this call.")] = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """List confirmed and rejected evidence, oldest first."""
    from callcoach.services.common import ServiceError
    from callcoach.services.scoring.teaching import list_feedback

    try:
        items = list_feedback(state(ctx).container().store, rubric, call_id)
    except ServiceError as exc:
        raise fail(str(exc)) from exc
    if output is OutputFormat.json:
        print_json([_feedback_json(i) for i in items])
        return
    if not items:
        console.print("No evidence feedback yet: `callcoach scorer feedback confirm|reject ...`.")
        return
    console.print(
        table(
            "Evidence feedback (the scorer learns from each verdict)",
            ["call", "rubric", "criterion", "segment", "verdict", "rater", "text", "note"],
            [
                [
                    i.feedback.call_id,
                    i.feedback.rubric_id,
                    i.feedback.criterion_id,
                    i.feedback.segment,
                    i.feedback.verdict.value,
                    i.feedback.rater,
                    i.text if len(i.text) <= 80 else i.text[:77] + "...",
                    i.feedback.note or "",
                ]
                for i in items
            ],
        )
    )
    confirmed = sum(i.feedback.verdict is FeedbackVerdict.CONFIRMED for i in items)
    console.print(f"{confirmed} confirmed, {len(items) - confirmed} rejected.")
