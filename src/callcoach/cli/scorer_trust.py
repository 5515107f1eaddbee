"""`callcoach scorer trust`: which criteria's scores agree with this team's people."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from callcoach.cli.app import state
from callcoach.cli.options import RubricOpt
from callcoach.cli.output import (
    FORMAT_OPTION,
    OutputFormat,
    RichProgress,
    console,
    err_console,
    fail,
    print_json,
    table,
)
from callcoach.cli.scorer import _rater, scorer_app


def _estimate(e: Any) -> str:
    if e is None or e.value is None:
        return "-"
    if e.low is None or e.high is None:
        return f"{e.value:.2f}"
    return f"{e.value:.2f} [{e.low:.2f}-{e.high:.2f}]"


STATE_STYLE = {"trusted": "green", "learning": "yellow", "not_trusted": "red"}


def print_trust(report: Any) -> None:
    rows = []
    for c in report.criteria:
        f = c.figures
        colour = STATE_STYLE[c.trust.state.value]
        label = c.trust.state.label + (", opted in" if c.trust.opted_in else "")
        rows.append(
            [
                c.name,
                f"[{colour}]{label}[/]",
                f"{f.judgements} ({f.confirmed}+/{f.rejected}-), {f.calls} calls" if f else "0",
                _estimate(f.precision if f else None),
                _estimate(f.recall if f else None),
                _estimate(f.auc if f else None),
                f"{_estimate(f.within_one)} / {_estimate(f.kappa)} (n={f.ratings})"
                if f and f.ratings
                else "-",
                "; ".join(c.trust.reasons),
            ]
        )
    console.print(
        table(
            f"Can you trust the scores? {report.rubric_id} v{report.rubric_version}",
            [
                "criterion",
                "state",
                "judgements",
                "precision [95% CI]",
                "recall",
                "AUC",
                "levels: within one / kappa",
                "why",
            ],
            rows,
        )
    )
    console.print(
        f"Bar: {report.bar.describe()}. Each call is judged by a model that did not learn "
        "from it (cross-validated by call).",
        highlight=False,
    )
    if not report.fresh:
        console.print(
            "[yellow]note:[/] judgements or the rubric changed since this was measured; "
            "run `callcoach scorer trust` without --cached to measure again."
        )
    held = [c.name for c in report.criteria if not c.trust.in_decisions]
    if held:
        console.print(
            f"Kept out of coaching priorities, 30-day verdicts and review ratings: "
            f"{', '.join(held)} (`--opt-in CRITERION` to use them anyway; audited).",
            highlight=False,
        )


@scorer_app.command("trust")
def trust(
    ctx: typer.Context,
    rubric: RubricOpt = None,
    cached: Annotated[
        bool,
        typer.Option("--cached", help="Show the last measurement; do not measure again."),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Measure again even if no judgement changed.")
    ] = False,
    opt_in: Annotated[
        str | None,
        typer.Option(
            "--opt-in",
            metavar="CRITERION",
            help="Use this not-trusted criterion in automatic decisions anyway (audited).",
        ),
    ] = None,
    opt_out: Annotated[
        str | None,
        typer.Option("--opt-out", metavar="CRITERION", help="Withdraw an opt-in (audited)."),
    ] = None,
    set_bar: Annotated[
        str | None,
        typer.Option(
            "--set-bar",
            metavar="BAR",
            help="The organisation's bar, e.g. 'precision=0.85,recall=0.7,auc=0.9,"
            "min_judgements=40' (unnamed parts keep their defaults; audited).",
        ),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Why (kept in the audit log).")] = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Per criterion: do the scores agree with your team's judgements? Trusted / learning / not trusted.

    Measured on the verdicts, ratings and overrides on record, each call judged by a model that
    did not learn from it. Not-trusted criteria stay out of automatic decisions unless opted in.
    """
    from callcoach.services.common import ServiceError
    from callcoach.services.scoring import trust as service

    container = state(ctx).container()
    store = container.store
    rubric_id = rubric or container.settings.default_rubric
    say = err_console.print if output is OutputFormat.json else console.print
    try:
        if set_bar is not None:
            bar = service.set_bar(store, set_bar, _rater())
            say(f"Bar set: {bar.describe()}.", highlight=False)
        for criterion, wanted in ((opt_in, True), (opt_out, False)):
            if criterion is not None:
                changed = service.set_opt_in(store, rubric_id, criterion, wanted, _rater(), note)
                what = "opted in to" if wanted else "opted out of"
                say(
                    f"{criterion} {what} automatic decisions"
                    + ("" if changed else " (it already was)")
                    + ".",
                    highlight=False,
                )
        if cached:
            with store.unit_of_work() as uow:
                report = service.trust_report(uow, rubric_id)
        else:
            with RichProgress() as progress:
                report = service.measure_trust(store, rubric_id, progress=progress, force=force)
    except ServiceError as exc:
        raise fail(str(exc)) from exc
    if output is OutputFormat.json:
        print_json(service.report_json(report))
        return
    print_trust(report)


def trust_column(criterion_id: str, trust: dict[str, Any]) -> str:
    """A criterion's column name, with its trust mark when its scores are not trusted yet."""
    mark = trust[criterion_id].mark if criterion_id in trust else ""
    return f"{criterion_id} ({mark})" if mark else criterion_id


def say_trust_marks(trust: dict[str, Any]) -> None:
    if any(t.mark for t in trust.values()):
        console.print(
            "[dim]Marked criteria: their scores do not (yet) agree with your team's verdicts; "
            "`callcoach scorer trust` shows the figures.[/]"
        )
