"""`callcoach demo`: generate a realistic demo sales org into the database and summarise it."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from callcoach.cli.app import app, state
from callcoach.cli.output import (
    FORMAT_OPTION,
    OutputFormat,
    RichProgress,
    console,
    fail,
    print_json,
)

CRITERION_SHORT = {
    "discovery": "disc",
    "urgency_creation": "urg",
    "objection_handling": "obj",
    "close_attempt": "close",
    "value_articulation": "value",
}


SCORE_BY_DEFAULT_UP_TO = 20_000  # calls; larger demos are load tests of the store and reports


@app.command("demo")
def demo_command(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Same seed, same org, same words.")] = 7,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="The full-size org: the same 12 reps with 1,500 full-length calls (5-45 "
            "minutes) instead of 600 short ones (about 4 times as long).",
        ),
    ] = False,
    scale: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Number of calls (default 600; --full: 1,500). Up to 1,500 calls the org has "
            "12 reps; beyond, reps scale with it (about 100 calls per rep); above 20,000 calls, "
            "transcripts are short (2-7 minutes) for speed.",
            show_default=False,
        ),
    ] = None,
    reps: Annotated[
        int | None,
        typer.Option(
            min=2, help="Number of reps (default: 12, or calls / 100).", show_default=False
        ),
    ] = None,
    months: Annotated[int, typer.Option(min=1, max=36, help="Months of calls.")] = 6,
    end: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Last day of the window (default: today). Transcripts do not depend on it.",
            show_default=False,
        ),
    ] = None,
    transcripts: Annotated[
        str,
        typer.Option(
            help="auto, full (5-45 minute calls) or short (2-7 minutes: every move of a call, "
            "little small talk). auto: short for the default org and above 20,000 calls, full "
            "for --full and other --scale runs."
        ),
    ] = "auto",
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Processes writing transcripts (runs of 5,000 calls or more). Worth it on an "
            "idle multi-core machine; the words are the same either way.",
        ),
    ] = 1,
    force: Annotated[
        bool, typer.Option("--force", help="Add the demo to a database that holds other calls.")
    ] = False,
    show_truth: Annotated[
        bool,
        typer.Option(
            "--show-truth",
            help="Also print the generated truth: each rep's skill per criterion, whether "
            "their coaching worked and whether their practice carried over to their calls "
            "(what the product should find).",
        ),
    ] = False,
    score: Annotated[
        bool | None,
        typer.Option(
            "--score/--no-score",
            help="Then score every call and print the team's scorecards, each rep's coaching "
            "priorities with their evidence and the coaching results (--no-score: only "
            "generate). Default: score runs of up to 20,000 calls; larger ones are for load "
            "tests (scoring 100k calls takes hours on a laptop), --score to score them anyway.",
            show_default=False,
        ),
    ] = None,
    calibrate: Annotated[
        bool,
        typer.Option(
            "--calibrate/--no-calibrate",
            help="Fit the scorer on the managers' ratings and re-score before reporting "
            "(what `callcoach scorer calibrate` does).",
        ),
    ] = True,
    scorer_workers: Annotated[
        int | None,
        typer.Option(
            "--scorer-workers",
            min=1,
            help="Scoring processes [default: CALLCOACH_WORKERS].",
            show_default=False,
        ),
    ] = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Generate a demo sales org (2 managers, 12 reps, 6 months of calls, deals, ratings, coaching), score every call and print what a manager reads: scorecards, coaching priorities with evidence, coaching results."""
    from callcoach.demo.model import DEFAULT_CALLS, FULL_CALLS
    from callcoach.services.common import ServiceError
    from callcoach.services.demo.setup import DemoOptions, generate_demo
    from callcoach.services.rubrics.catalog import install_templates

    if transcripts not in ("auto", "full", "short"):
        raise typer.BadParameter("must be auto, full or short", param_hint="--transcripts")
    if full and scale is not None:
        raise typer.BadParameter(
            f"--full is {FULL_CALLS:,} calls; give --full or --scale, not both",
            param_hint="--full",
        )
    container = state(ctx).container(require_current=False)
    store = container.store
    store.migrate()  # the same as `callcoach init`: create or migrate, then the templates
    install_templates(store)
    if transcripts == "auto" and not full and scale is None:
        # The default org: 600 short calls, so the first run (scoring included) takes about 3
        # minutes on 2 cores; `--full` is the same people with 1,500 full-length calls.
        transcripts = "short"
    options = DemoOptions(
        seed=seed,
        calls=scale or (FULL_CALLS if full else DEFAULT_CALLS),
        reps=reps,
        months=months,
        end=end.date() if end else None,
        transcripts=transcripts,
        force=force,
        workers=workers,
    )
    try:
        with RichProgress() as progress:
            summary = generate_demo(store, options, progress)
    except ServiceError as exc:
        raise fail(str(exc)) from exc
    if score is None:
        score = summary.calls <= SCORE_BY_DEFAULT_UP_TO
    if output is OutputFormat.table:
        print_summary(summary, show_truth, scored=score)
    if not score:
        if output is OutputFormat.json:
            print_json({"demo": summary_json(summary, show_truth)})
        return
    from callcoach.services.demo.report import score_and_report

    try:
        with RichProgress() as progress:
            report = score_and_report(
                store,
                summary,
                container.scorer_config(),
                workers=scorer_workers or container.settings.workers,
                learn=calibrate,
                progress=progress,
            )
    except ServiceError as exc:
        raise fail(str(exc)) from exc
    from callcoach.cli.review_output import demo_review_json, run_demo_reviews

    review = run_demo_reviews(container, summary, report.scoring.scorer)
    if output is OutputFormat.json:
        print_json({**report_json(summary, report, show_truth), "review": demo_review_json(review)})
        return
    print_report(report, review)


def summary_json(summary: Any, show_truth: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        key: value for key, value in summary.__dict__.items() if key != "skills" or show_truth
    }
    data["calls_per_second"] = summary.calls_per_second
    return data


def report_json(summary: Any, report: Any, show_truth: bool) -> dict[str, Any]:
    from callcoach.cli.analytics import finite
    from callcoach.cli.scorer import calibration_json
    from callcoach.cli.scoring import detail_json

    return {
        "demo": summary_json(summary, show_truth),
        "scoring": report.scoring.to_dict(),
        "calibration": calibration_json(report.calibration) if report.calibration else None,
        "rescoring": report.rescoring.to_dict() if report.rescoring else None,
        "example_call": detail_json(report.example) if report.example else None,
        "scorecards": finite(asdict(report.assessment.scorecards)),
        "priorities": finite(asdict(report.assessment.priorities)),
        "coaching": finite(asdict(report.coaching)),
        "practice_scoring": report.practice.to_dict() if report.practice else None,
        "notes": report.notes,
    }


def print_report(report: Any, review: Any = None) -> None:
    """What the product finds on the demo team, in the order a manager reads it."""
    from callcoach.cli.analytics import print_priorities, print_scorecards
    from callcoach.cli.analytics_quality import print_coaching_report
    from callcoach.cli.scorer import print_calibration
    from callcoach.cli.scoring import print_call_scores
    from callcoach.cli.scoring_summary import summary_lines

    rule("1. Every call scored, every level backed by a quote")
    for line in summary_lines(report.scoring, rescore=False):
        console.print(line, highlight=False)
    if report.calibration is not None:
        console.print(
            "\n[bold]Learning from the managers[/]: the scorer is fitted on the levels the two "
            "managers gave the rated calls, then every call is scored again with the fit "
            "(the transcripts are not re-encoded)."
        )
        print_calibration(report.calibration)
    if report.rescoring is not None:
        r = report.rescoring
        console.print(
            f"Re-scored {r.scored:,} calls with the calibration in {r.seconds:.1f}s "
            f"({r.embeddings_reused:,} stored transcript embeddings reused).",
            highlight=False,
        )
    if report.practice is not None and report.practice.scored + report.practice.unscorable:
        p = report.practice
        console.print(
            f"The reps' {p.scored + p.unscorable:,} practice attempts scored by the same scorer "
            f"in {p.seconds:.1f}s ({p.exact:,} at the level they were written at, "
            f"{p.within_one:,} within one"
            + (f"; {p.unscorable:,} too thin to judge" if p.unscorable else "")
            + ").",
            highlight=False,
        )
    for note in report.notes:
        console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
    if report.example is not None:
        call = report.example.call
        console.print(
            f"\n[bold]One call, as `callcoach show call {escape(call.external_id)}` shows it[/] "
            f"({escape(call.rep or 'unknown rep')}, {call.date:%Y-%m-%d}, "
            f"{escape(call.account or 'no account')}; the transcript is left out here):",
            highlight=False,
        )
        print_call_scores(report.example)

    rule("2. Scorecards and team benchmarks")
    print_scorecards(report.assessment.scorecards)
    rule("3. Each rep's two coaching priorities, with the moments that show them")
    print_priorities(report.assessment.priorities)
    rule("4. Did coaching work?")
    print_coaching_report(report.coaching)
    if review is not None:
        from callcoach.cli.review_output import print_demo_review

        rule("5. A review cycle: one rep's performance review, every sentence citing its evidence")
        print_demo_review(review)
    console.print(
        "\n[bold]Next[/]: `callcoach serve` shows all of this in the browser; "
        "`callcoach show call ID` any call with its transcript; `callcoach agreement` how the "
        "machine and the managers agree; `callcoach outcomes` which criteria predict won deals; "
        "`callcoach demo --show-truth` what the generator hid in the words.",
        highlight=False,
    )


def rule(title: str) -> None:
    console.print()
    console.rule(f"[bold]{title}[/]", align="left")


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "[red]no[/]")


def print_summary(summary: Any, show_truth: bool, scored: bool = False) -> None:
    from callcoach.demo.model import CALL_TYPES

    s = summary
    console.print(
        f"[bold]Demo sales org generated[/] (seed {s.seed}) into {s.database}: "
        f"{s.calls:,} calls from {len(s.reps)} reps in {len(s.teams)} teams, "
        f"{s.first_day:%d %b %Y} to {s.end:%d %b %Y}, in {s.seconds:.1f} s "
        f"({s.calls_per_second or 0:,.0f} calls/s)."
    )
    if s.replaced_calls:
        console.print(f"It replaced the previous demo ({s.replaced_calls:,} calls).")
    console.print(
        "Everything is made up: the reps, their skill on each criterion of the "
        f"[bold]{s.rubric_id}[/] rubric, the prospects, the words. The skills are hidden in "
        "the words; the product's job is to find them.\n"
    )

    teams = Table(title="Teams", title_justify="left", header_style="bold")
    for column in ("team", "manager", "reps", "calls"):
        teams.add_column(column, justify="right" if column in ("reps", "calls") else "left")
    for team in s.teams:
        teams.add_row(team.name, team.manager or "", str(team.reps), f"{team.calls:,}")
    console.print(teams)

    if len(s.reps) <= 40:
        reps = Table(
            title="Reps by team (ramping = under 6 months in the job)",
            title_justify="left",
            header_style="bold",
        )
        reps.add_column("rep", no_wrap=True)
        reps.add_column("started", no_wrap=True)
        reps.add_column("tenure", justify="right", no_wrap=True)
        reps.add_column("calls", justify="right")
        reps.add_column("deals won", justify="right")
        reps.add_column("lost", justify="right")
        for team in s.teams:
            reps.add_row(f"[bold]{team.name}[/]", "", "", "", "", "", end_section=False)
            for rep in sorted((r for r in s.reps if r.team == team.name), key=lambda r: r.name):
                tenure = f"{rep.tenure_months:.0f} mo"
                reps.add_row(
                    f"  {rep.name}",
                    f"{rep.start_date:%Y-%m}" if rep.start_date else "",
                    f"[yellow]{tenure} ramping[/]" if rep.ramping else tenure,
                    str(rep.calls),
                    str(rep.deals_won),
                    str(rep.deals_lost),
                )
        console.print(reps)
    else:
        ramping = sum(1 for r in s.reps if r.ramping)
        console.print(f"{len(s.reps)} reps, {ramping} of them ramping (under 6 months in the job).")

    months = Table(title="Calls by month and type", title_justify="left", header_style="bold")
    months.add_column("month")
    for call_type in CALL_TYPES:
        months.add_column(call_type, justify="right")
    months.add_column("total", justify="right")
    for line in s.months:
        months.add_row(line.month, *(f"{line.by_type[t]:,}" for t in CALL_TYPES), f"{line.total:,}")
    months.add_row(
        "[bold]all[/]",
        *(f"[bold]{s.calls_by_type[t]:,}[/]" for t in CALL_TYPES),
        f"[bold]{s.calls:,}[/]",
    )
    console.print(months)
    console.print(
        f"Call length: median {s.minutes_median} min (shortest {s.minutes_min}, longest "
        f"{s.minutes_max}); {s.segments:,} transcript segments with speaker names and "
        "timestamps."
        + (
            " Short calls: every move of a call, little small talk (`--full`: full length)."
            if s.short_transcripts
            else ""
        )
        + "\n"
    )

    outcomes = s.deals_by_outcome
    win_rate = f"{s.win_rate:.0%}" if s.win_rate is not None else "n/a"
    console.print(
        f"[bold]Deals[/]: {s.deals:,} opportunities at {s.accounts:,} named accounts. "
        f"Won {outcomes['won']:,}, lost {outcomes['lost']:,} (win rate {win_rate} of closed "
        f"deals; {s.lost_after_verbal} lost after a verbal commitment), open "
        f"{outcomes['open']:,}, stalled {outcomes['stalled']:,}. Won ${s.won_amount:,.0f}; "
        f"open pipeline ${s.open_pipeline:,.0f}. Outcomes follow the quality of the calls: "
        "better urgency, objection handling and close attempts win more often."
    )
    console.print(
        f"[bold]Activity[/]: {s.activities:,} rep-days of dials, meetings booked and proposals "
        f"sent; {s.quotas:,} quarterly quotas (ramped for new reps)."
    )
    raters = " and ".join(s.raters) if len(s.raters) <= 2 else f"{len(s.raters)} managers"
    console.print(
        f"[bold]Ratings[/]: {s.calls_rated} calls rated by {raters} on every criterion "
        f"({s.ratings:,} ratings) for the agreement check.\n"
    )

    coaching = Table(
        title="Coaching events (each on the rep's weakest criterion)",
        title_justify="left",
        header_style="bold",
    )
    for column in ("rep", "criterion", "coached on", "coach"):
        coaching.add_column(column, no_wrap=True)
    for event in s.coaching[:30]:
        coaching.add_row(
            event.rep, event.criterion, f"{event.coached_on:%Y-%m-%d}", event.coach or ""
        )
    console.print(coaching)
    if len(s.coaching) > 30:
        console.print(f"... and {len(s.coaching) - 30} more coaching events.")
    console.print("What each session covered: `callcoach coaching list`.")
    if s.practice:
        console.print(
            f"[bold]Practice[/]: {len(s.practice)} reps were assigned practice on a criterion "
            f"and did {sum(p.sessions for p in s.practice)} sessions "
            f"({sum(p.attempts for p in s.practice)} attempts), each cut from one of their own "
            "calls; `callcoach coaching report` shows whether it carried over to their calls.",
            highlight=False,
        )

    if show_truth:
        truth = Table(
            title="Generated truth (skill 1-5 per criterion; the scorer never sees this)",
            title_justify="left",
            header_style="bold",
        )
        criteria = list(s.skills[0].skills) if s.skills else []
        truth.add_column("rep", no_wrap=True)
        for criterion in criteria:
            truth.add_column(
                CRITERION_SHORT.get(criterion, criterion), justify="right", no_wrap=True
            )
        truth.add_column("coached", no_wrap=True)
        truth.add_column("worked", no_wrap=True)
        truth.add_column("practised", no_wrap=True)
        truth.add_column("carried over", no_wrap=True)
        for line in s.skills[:40]:
            worked = _yes_no(line.coaching_worked)
            truth.add_row(
                line.rep,
                *(f"{line.skills[c]:.1f}" for c in criteria),
                CRITERION_SHORT.get(line.coached or "", line.coached or ""),
                worked,
                CRITERION_SHORT.get(line.practised or "", line.practised or ""),
                _yes_no(line.practice_carried_over),
            )
        console.print(truth)

    if not scored:
        console.print(
            "\n[bold]Next[/]: `callcoach score` scores every call; then `callcoach scorecard`, "
            "`callcoach priorities`, `callcoach agreement`, `callcoach outcomes` and "
            "`callcoach coaching report` show what the product finds."
        )
