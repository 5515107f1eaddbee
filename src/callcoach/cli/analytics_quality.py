"""`callcoach agreement|outcomes|coaching`: is the scoring trustworthy, does it predict wins,
does coaching work."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from callcoach.cli.analytics import (
    build_query,
    change,
    cycle_text,
    emit_json,
    lvl,
    pct,
    say,
    store_of,
)
from callcoach.cli.app import app, state
from callcoach.cli.options import CycleOpt, FromOpt, RepOpt, RubricOpt, ScorerOpt, TeamOpt, ToOpt
from callcoach.cli.output import FORMAT_OPTION, OutputFormat, console, table


def stat(value: Any, digits: int = 2) -> str:
    """A Statistic: its value, or 'undefined' (the reason is printed below the table)."""
    if value.value is None:
        return "[dim]undefined[/]"
    return f"{value.value:.{digits}f}"


def _agreement_rows(items: list[Any], reasons: list[str]) -> list[list[Any]]:
    rows = []
    for a in items:
        for label, statistic in (("kappa", None), ("alpha", a.alpha), ("ICC(A,1)", a.icc)):
            if statistic is not None and statistic.value is None and statistic.reason:
                reasons.append(f"{a.name}: {label} {statistic.reason}")
        kappas = "; ".join(f"{p.raters[0]}~{p.raters[1]} {stat(p.kappa)}" for p in a.pairs)
        for p in a.pairs:
            if p.kappa.value is None and p.kappa.reason:
                reasons.append(f"{a.name}: kappa {p.raters[0]}~{p.raters[1]} {p.kappa.reason}")
        target = (
            "-" if a.meets_target is None else ("[green]yes[/]" if a.meets_target else "[red]no[/]")
        )
        rows.append(
            [
                a.name,
                a.calls,
                pct(a.exact.value),
                pct(a.within_one.value),
                target,
                kappas or "-",
                stat(a.alpha),
                stat(a.icc),
                f"[yellow]{a.flag}[/]" if a.flag else "",
            ]
        )
    return rows


AGREEMENT_COLUMNS = [
    "criterion",
    "calls",
    "exact",
    "within 1",
    ">= 80%?",
    "weighted kappa per pair",
    "alpha",
    "ICC(A,1)",
    "flag",
]


@app.command("agreement")
def agreement_command(
    ctx: typer.Context,
    rep: RepOpt = None,
    team: TeamOpt = None,
    cycle: CycleOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    rubric: RubricOpt = None,
    scorer: ScorerOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Rater agreement per criterion (human vs human, machine vs each rater): exact, within one level, weighted kappa, Krippendorff's alpha, ICC(A,1); vague anchors flagged."""
    from callcoach.services.assessment.agreement import build_agreement

    report = build_agreement(
        store_of(ctx), build_query(ctx, rubric, scorer, cycle, start, end, rep, team)
    )
    if output is OutputFormat.json:
        emit_json(report)
        return
    period = cycle_text(report.period) if report.period else "all ratings"
    say(
        f"[bold]Rater agreement[/] · rubric {report.rubric} · {period} · {report.ratings} ratings "
        f"by {', '.join(report.raters) or 'nobody yet'}"
    )
    say(
        "exact / within 1: share of rater pairs giving the same level / levels at most one apart "
        f"(team target: {report.target_within_one:.0%} within one). kappa (quadratic weighted), "
        "alpha (ordinal Krippendorff) and ICC(A,1): 1 = perfect agreement, 0 = chance; above "
        "0.6 is usable, above 0.8 strong."
    )
    reasons: list[str] = []
    console.print(
        table("Human vs human", AGREEMENT_COLUMNS, _agreement_rows(report.human, reasons))
    )
    for a in report.human:
        if a.flag:
            say(
                f"\n[yellow]{escape(a.name)}: {a.flag}[/]. Calls where raters differ by more than one level:"
            )
            for d in a.disagreements:
                given = ", ".join(f"{escape(r)} {v}" for r, v in d.ratings.items())
                say(f"  - {escape(d.call_id)}: {given}")
    for comparison in report.machine:
        rows = _agreement_rows(comparison.criteria, reasons)
        console.print(
            table(f"Machine ({report.scorer}) vs {comparison.rater}", AGREEMENT_COLUMNS, rows)
        )
    for reason in dict.fromkeys(reasons):
        say(f"[dim]undefined:[/] {escape(reason)}")
    for note in report.notes:
        say(f"[dim]note:[/] {note}")


@app.command("outcomes")
def outcomes_command(
    ctx: typer.Context,
    rep: RepOpt = None,
    team: TeamOpt = None,
    cycle: CycleOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    rubric: RubricOpt = None,
    scorer: ScorerOpt = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Bootstrap seed (same seed, same interval).")
    ] = 0,
    won: Annotated[
        int | None,
        typer.Option(
            "--won",
            min=1,
            help="Instead of a cycle: the last N won deals and the deals lost since the first "
            "of them, each with all its scored calls (the method's calibration step: N=50).",
        ),
    ] = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Which criteria go with won deals (point-biserial r, bootstrap 95% CI, odds ratio), and suggested weights next to the current ones."""
    from callcoach.services.assessment.outcomes import build_outcomes

    report = build_outcomes(
        store_of(ctx),
        build_query(ctx, rubric, scorer, cycle, start, end, rep, team),
        seed=seed,
        won_deals=won,
    )
    if output is OutputFormat.json:
        emit_json(report)
        return
    say(
        f"[bold]Outcomes {cycle_text(report.cycle)}[/] · rubric {report.rubric} "
        f"v{report.rubric_version} · {report.deals} closed deals linked to scored calls "
        f"({report.won} won, {report.lost} lost)"
    )
    say(
        "Each deal gets the mean level of its calls. r: point-biserial correlation with winning "
        "(-1 to 1); related = its bootstrap 95% CI excludes 0. Odds ratio: how the odds of "
        "winning multiply per level. Suggested weights follow the positive, related criteria."
    )
    rows = []
    reasons = []
    for line in report.criteria:
        r = line.relation
        if r.correlation.value is None and r.correlation.reason:
            reasons.append(f"{line.name}: {r.correlation.reason}")
        interval = (
            "-" if r.ci_low is None or r.ci_high is None else f"{r.ci_low:.2f} to {r.ci_high:.2f}"
        )
        verdict = {
            "positive": "[green]goes with winning[/]",
            "negative": "[red]goes with losing[/]",
        }.get(r.direction, "not related")
        rows.append(
            [
                line.name,
                r.n,
                lvl(r.mean_won),
                lvl(r.mean_lost),
                stat(r.correlation),
                interval,
                stat(r.odds_ratio),
                verdict,
                f"{line.current_weight:g}",
                "-" if line.suggested_weight is None else line.suggested_weight,
            ]
        )
    console.print(
        table(
            None,
            [
                "criterion",
                "deals",
                "mean won",
                "mean lost",
                "r",
                "95% CI",
                "odds ratio",
                "relation",
                "weight now",
                "suggested",
            ],
            rows,
        )
    )
    for reason in reasons:
        say(f"[dim]undefined:[/] {escape(reason)}")
    for warning in report.warnings:
        say(f"[yellow]warning:[/] {warning}")
    say(report.conclusion)


coaching_app = typer.Typer(
    help="The 30-day coaching loop: record coaching, then measure it.", no_args_is_help=True
)
app.add_typer(coaching_app, name="coaching")


@coaching_app.command("add")
def coaching_add_command(
    ctx: typer.Context,
    rep: Annotated[str, typer.Argument(help="The rep coached.")],
    criterion: Annotated[str, typer.Argument(help="Criterion id coached on.")],
    when: Annotated[
        datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], help="Coaching day (default: today)."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="What was agreed.")] = None,
    coach: Annotated[
        str | None, typer.Option("--coach", help="Who coached (default: the rep's manager).")
    ] = None,
    rubric: RubricOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Record a coaching event; it is measured 30 days later by `callcoach coaching report`."""
    from callcoach.analytics.coaching import RESCORE_AFTER_DAYS
    from callcoach.services.assessment.coaching import add_coaching_event

    settings = state(ctx).container().settings
    coached_on = when.date() if when else date.today()
    event = add_coaching_event(
        store_of(ctx), rubric or settings.default_rubric, rep, criterion, coached_on, note, coach
    )
    if output is OutputFormat.json:
        emit_json(event)
        return
    from datetime import timedelta

    due = event.coached_on + timedelta(days=RESCORE_AFTER_DAYS)
    say(
        f"Recorded coaching #{event.id}: {escape(event.rep)} on {event.criterion_id} "
        f"({event.coached_on.isoformat()}, coach {event.coach or 'not named'}). "
        f"Re-score after {due.isoformat()}: `callcoach coaching report` compares the 10 calls "
        "before with the 10 after."
    )


@coaching_app.command("list")
def coaching_list_command(
    ctx: typer.Context,
    rep: RepOpt = None,
    rubric: RubricOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """List recorded coaching events, oldest first."""
    from dataclasses import asdict

    from callcoach.cli.output import print_json
    from callcoach.services.assessment.coaching import list_coaching_events

    settings = state(ctx).container().settings
    events = list_coaching_events(store_of(ctx), rubric or settings.default_rubric, rep)
    if output is OutputFormat.json:
        print_json([asdict(e) for e in events])
        return
    rows = [
        [e.id, e.coached_on.isoformat(), e.rep, e.criterion_id, e.coach, e.note] for e in events
    ]
    console.print(
        table(
            f"Coaching events ({len(events)})",
            ["#", "date", "rep", "criterion", "coach", "note"],
            rows,
        )
    )


@coaching_app.command("report")
def coaching_report_command(
    ctx: typer.Context,
    rep: RepOpt = None,
    team: TeamOpt = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of", formats=["%Y-%m-%d"], help="Measure as of this day (default: today)."
        ),
    ] = None,
    rubric: RubricOpt = None,
    scorer: ScorerOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Did coaching work? Each event 30 days on (+0.5 = improved), reps to coach differently, and each manager's success rate."""
    from callcoach.services.assessment.coaching import build_coaching_report

    query = build_query(ctx, rubric, scorer, rep=rep, team=team)
    report = build_coaching_report(store_of(ctx), query, as_of.date() if as_of else None)
    if output is OutputFormat.json:
        emit_json(report)
        return
    print_coaching_report(report)


def print_coaching_report(report: Any) -> None:
    """Each event's verdict, repeated failures, managers' records (also printed by `demo`)."""
    say(
        f"[bold]Coaching loop[/] as of {report.as_of.isoformat()} · rubric {report.rubric} · "
        f"scorer {report.scorer}\nEach event compares the coached criterion on the rep's 10 calls "
        "before coaching with their 10 most recent in the 30 days after; +0.50 or more is improved."
    )
    rows = [
        [
            e.rep,
            e.criterion_id,
            e.coached_on.isoformat(),
            e.coach,
            f"{lvl(e.before_mean)} ({e.before_calls})",
            f"{lvl(e.after_mean)} ({e.after_calls})",
            change(e.change),
            e.message,
        ]
        for e in report.events
    ]
    console.print(
        table(
            "Events",
            ["rep", "criterion", "coached", "coach", "before (n)", "after (n)", "change", "result"],
            rows,
        )
    )
    for flag in report.approach_flags:
        say(
            f"[yellow]{escape(flag.rep)}[/], {flag.criterion_id}: no improvement in "
            f"{' and '.join(flag.cycles)}: {flag.message}"
        )
    if report.managers:
        manager_rows = [
            [m.manager, m.coached_reps, m.improved_reps, pct(m.share), m.verdict]
            for m in report.managers
        ]
        console.print(
            table(
                "Manager effectiveness (coached reps improving on their primary criterion within 30 days)",
                [
                    "manager",
                    "coached reps",
                    "improved",
                    "share",
                    "verdict (>= 70% working, <= 30% adjust)",
                ],
                manager_rows,
            )
        )
    if report.practice:
        practice_rows = [
            [
                c.rep,
                c.criterion_id,
                c.first_practice.isoformat(),
                c.sessions,
                f"{c.first_level} -> {c.last_level} (best {c.best_level})",
                f"{lvl(c.real.before_mean)} ({c.real.before_calls})",
                f"{lvl(c.real.after_mean)} ({c.real.after_calls})",
                change(c.real.change),
                c.real.message,
            ]
            for c in report.practice
        ]
        console.print(
            table(
                "Practice and real calls (real calls before the first session against after it)",
                [
                    "rep",
                    "criterion",
                    "first session",
                    "sessions",
                    "practice levels",
                    "real before (n)",
                    "real after (n)",
                    "change",
                    "result",
                ],
                practice_rows,
            )
        )
    for note in report.notes:
        say(f"[dim]note:[/] {note}")
