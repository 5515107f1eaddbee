"""`callcoach scorecard|priorities|sample|signals`: the cycle's assessment, read by managers.

Agreement, outcomes and coaching live in cli/analytics_quality.py; score import/export in
cli/score_exchange.py. Both register themselves when this module is imported.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from callcoach.cli.app import app, state
from callcoach.cli.options import CycleOpt, FromOpt, RepOpt, RubricOpt, ScorerOpt, TeamOpt, ToOpt
from callcoach.cli.output import FORMAT_OPTION, OutputFormat, console, print_json, table
from callcoach.cli.scorer_trust import say_trust_marks, trust_column

if TYPE_CHECKING:
    from callcoach.analytics.priorities import Moment, Priority
    from callcoach.services.assessment.query import AssessmentQuery, CycleInfo


def build_query(
    ctx: typer.Context,
    rubric: str | None,
    scorer: str | None = None,
    cycle: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    rep: str | None = None,
    team: str | None = None,
) -> AssessmentQuery:
    from callcoach.services.assessment.query import AssessmentQuery

    settings = state(ctx).container().settings
    return AssessmentQuery(
        rubric=rubric or settings.default_rubric,
        scorer=scorer,
        preferred_scorer=settings.scorer,
        cycle=cycle,
        start=start.date() if start else None,
        end=end.date() if end else None,
        rep=rep,
        team=team,
    )


def scorer_text(scorer: str) -> str:
    """Who gave the levels: a machine scorer, or managers (a manual review)."""
    return "managers' ratings (manual review)" if scorer == "manual" else f"scorer {scorer}"


def store_of(ctx: typer.Context) -> Any:
    return state(ctx).container().store


def finite(value: Any) -> Any:
    """JSON never carries NaN: an undefined number is null (its reason sits beside it)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def emit_json(report: Any) -> None:
    print_json(finite(asdict(report)))


def lvl(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def ci(low: float | None, high: float | None) -> str:
    return "-" if low is None or high is None else f"{low:.2f}-{high:.2f}"


def change(value: float | None) -> str:
    if value is None:
        return "-"
    colour = "green" if value > 0.005 else "red" if value < -0.005 else "white"
    return f"[{colour}]{value:+.2f}[/]"


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    total = int(seconds)
    return f"{total // 60:02d}:{total % 60:02d}"


def cycle_text(cycle: CycleInfo) -> str:
    return f"{cycle.label} ({cycle.start.isoformat()} to {cycle.end.isoformat()})"


def say(text: str) -> None:
    console.print(text, highlight=False)


@app.command("scorecard")
def scorecard_command(
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
    """Per rep: mean level per criterion with 95% CI, overall, change, close rate; per team: benchmark and what separates the top reps from the bottom."""
    from callcoach.services.assessment.scorecards import build_scorecards

    query = build_query(ctx, rubric, scorer, cycle, start, end, rep, team)
    report = build_scorecards(store_of(ctx), query)
    if output is OutputFormat.json:
        emit_json(report)
        return
    print_scorecards(report)


def rubric_text(report: Any) -> str:
    """'rubric Name (id) v3', and the versions the scores used when they are not all v3."""
    text = (
        f"rubric {report.rubric_name or report.rubric} ({report.rubric}) v{report.rubric_version}"
    )
    if report.scored_versions and report.scored_versions != [report.rubric_version]:
        text += " · scores on " + ", ".join(f"v{v}" for v in report.scored_versions)
    return text


def print_scorecards(report: Any) -> None:
    """The scorecard report as tables a manager reads (also printed by `callcoach demo`)."""
    say(
        f"[bold]Scorecards {cycle_text(report.cycle)}[/] · {rubric_text(report)} "
        f"· {scorer_text(report.scorer)}"
    )
    say(
        "Levels are 1-5 means over each rep's scored calls in the cycle. 95% CI: the range the "
        "rep's true mean most likely lies in (wide with few calls). Change: against "
        f"{report.previous_cycle.label}. Overall: weighted by the rubric's weights."
    )
    crit_names = [c.criterion_id for c in report.reps[0].criteria] if report.reps else []
    rows = []
    for card in report.reps:
        by_id = {c.criterion_id: c for c in card.criteria}
        rows.append(
            [
                card.rep + (" [yellow]*[/]" if not card.enough_calls else ""),
                card.team,
                card.calls,
                f"{lvl(card.overall)} ({ci(card.overall_ci_low, card.overall_ci_high)})",
                change(card.overall_change),
                *[lvl(by_id[c].mean) for c in crit_names],
                f"{pct(card.close_rate.rate)} vs {pct(card.team_close_rate.rate)}",
            ]
        )
    console.print(
        table(
            "Reps",
            [
                "rep",
                "team",
                "calls",
                "overall (95% CI)",
                "change",
                *[trust_column(c, report.trust) for c in crit_names],
                "close rate vs team",
            ],
            rows,
        )
    )
    say_trust_marks(report.trust)
    if any(not c.enough_calls for c in report.reps):
        say("[yellow]*[/] not enough calls for a meaningful assessment (fewer than 10 scored).")
    if len(report.reps) == 1:
        _print_rep_detail(report.reps[0], report.previous_cycle.label)
    for bench in report.teams:
        _print_benchmark(bench)
    for note in report.notes:
        say(f"[dim]note:[/] {note}")


def _print_rep_detail(card: Any, previous: str) -> None:
    say(f"\n[bold]{escape(card.rep)}[/] ({card.team or 'no team'}): {card.close_rate_text}")
    for flag in card.flags:
        say(f"[yellow]{flag}[/]")
    rows = [
        [
            c.name,
            f"{c.weight:g}%",
            lvl(c.mean),
            ci(c.ci_low, c.ci_high),
            c.n,
            change(c.change),
            lvl(c.team_mean),
        ]
        for c in card.criteria
    ]
    console.print(
        table(
            None,
            ["criterion", "weight", "mean", "95% CI", "n", f"vs {previous}", "team mean"],
            rows,
        )
    )


def _print_benchmark(bench: Any) -> None:
    name = bench.team or "reps without a team"
    say(
        f"\n[bold]Team {escape(name)}[/]: {bench.reps} reps, {bench.calls} scored calls, "
        f"overall {lvl(bench.overall)}, close rate {pct(bench.close_rate.rate)} "
        f"({bench.close_rate.won} of {bench.close_rate.closed} closed linked deals)"
    )
    rows = [
        [b.name, f"{b.weight:g}%", lvl(b.mean), ci(b.ci_low, b.ci_high), b.n]
        for b in bench.criteria
    ]
    console.print(
        table(
            "Benchmark (team mean per criterion)",
            ["criterion", "weight", "team mean", "95% CI", "n"],
            rows,
        )
    )
    comparison = bench.top_vs_bottom
    if comparison is None:
        say(f"[dim]top vs bottom: {bench.note}[/]")
        return
    fmt = pct
    top = ", ".join(f"{escape(r.rep)} ({fmt(r.value)})" for r in comparison.top)
    bottom = ", ".join(f"{escape(r.rep)} ({fmt(r.value)})" for r in comparison.bottom)
    metric = comparison.metric
    if metric == "quota attainment":
        metric += " (amount won in the cycle so far / the cycle's quota)"
    say(f"Top half by {metric}: {top}\nBottom half: {bottom}")
    rows = [[g.name, lvl(g.top_mean), lvl(g.bottom_mean), change(g.gap)] for g in comparison.gaps]
    console.print(
        table(
            "What separates the top from the bottom (largest gap first)",
            ["criterion", "top mean", "bottom mean", "gap"],
            rows,
        )
    )


def print_priority(priority: Priority, indent: str = "  ", mark: str = "") -> None:
    """One priority; `mark` is its criterion's trust mark ('learning'), if any."""
    say(
        f"{indent}[bold]{priority.rank}. {escape(priority.name)}[/]"
        f"{f' ({escape(mark)})' if mark else ''} (weight {priority.weight:g}%): "
        f"rep {priority.rep_mean:.2f} vs team {priority.team_mean:.2f}, gap {priority.gap:.2f} x "
        f"{priority.weight:g}% = {priority.weighted_gap:.2f} of the overall score to win back"
    )
    say(f"{indent}   what good looks like (level 4): {escape(priority.what_good_looks_like)}")
    if not priority.moments:
        say(f"{indent}   [dim]no quoted moment on the lowest-level calls[/]")
    for moment in priority.moments:
        say(f"{indent}   - {escape(moment_text(moment))}")


def moment_text(moment: Moment) -> str:
    """A call moment in one line: when, with whom, where in the call, the level and the quote."""
    when = moment.date.date().isoformat() if moment.date else "undated"
    return (
        f"{when} · {moment.account or 'no account'} · {moment.call_id} @ "
        f'{clock(moment.timestamp)} · level {moment.level}: "{moment.quote}"'
    )


@app.command("priorities")
def priorities_command(
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
    """Each rep's 2 coaching priorities: (team mean - rep mean) x weight, with the call moments that show them and what good looks like."""
    from callcoach.services.assessment.scorecards import build_priorities

    report = build_priorities(
        store_of(ctx), build_query(ctx, rubric, scorer, cycle, start, end, rep, team)
    )
    if output is OutputFormat.json:
        emit_json(report)
        return
    print_priorities(report)


def print_priorities(report: Any) -> None:
    """Each rep's priorities with their moments (also printed by `callcoach demo`)."""
    say(
        f"[bold]Coaching priorities {cycle_text(report.cycle)}[/] · {rubric_text(report)} "
        f"· {scorer_text(report.scorer)}"
    )
    say(
        "Priority = (team mean - rep mean) x weight: the share of the weighted overall the rep "
        "would gain by reaching the team mean. Only criteria where the rep is below the team count."
    )
    for line in report.reps:
        say(f"\n[bold]{escape(line.rep)}[/] ({line.team or 'no team'}) · {line.calls} scored calls")
        for flag in line.flags:
            say(f"  [yellow]{flag}[/]")
        if line.note:
            say(f"  {line.note}")
        for priority in line.priorities:
            trust = report.trust.get(priority.criterion_id)
            print_priority(priority, mark=trust.mark if trust else "")
    for note in report.notes:
        say(f"[dim]note:[/] {note}")


@app.command("sample")
def sample_command(
    ctx: typer.Context,
    rep: RepOpt = None,
    team: TeamOpt = None,
    cycle: CycleOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    per_rep: Annotated[
        int, typer.Option("--per-rep", min=10, help="Calls per rep (at least 10).")
    ] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same sample.")] = 0,
    monthly: Annotated[
        bool,
        typer.Option(
            "--monthly", help="Monthly check-in: 5 most recent calls, primary priority only."
        ),
    ] = False,
    rubric: RubricOpt = None,
    scorer: ScorerOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Draw the cycle's assessment sample: >= 10 scored calls per rep, stratified by week."""
    from callcoach.services.assessment.sampling import draw_sample, monthly_checkin

    query = build_query(ctx, rubric, scorer, cycle, start, end, rep, team)
    if monthly:
        checkin = monthly_checkin(store_of(ctx), query)
        if output is OutputFormat.json:
            emit_json(checkin)
            return
        assessed = checkin.assessment.label if checkin.assessment else "the last quarter"
        say(
            f"[bold]Monthly check-in[/]: each rep's {checkin.calls_per_rep} most recent scored "
            f"calls, read on the primary priority of the {assessed} assessment"
        )
        for line in checkin.reps:
            calls = ", ".join(
                f"{c.call_id} ({c.date.date() if c.date else 'undated'})" for c in line.calls
            )
            say(
                f"\n[bold]{escape(line.rep)}[/] ({line.team or 'no team'}): {escape(calls) or 'no calls'}"
            )
            if line.primary:
                p = line.primary
                recent = f"{line.recent_mean:.2f}" if line.recent_mean is not None else "–"
                say(
                    f"  {assessed} priority: [bold]{escape(p.name)}[/] (the rep {p.rep_mean:.2f}, "
                    f"team {p.team_mean:.2f}); last {len(line.calls)} calls: {recent} -> "
                    f"{escape(line.progress or '')}"
                )
                for moment in p.moments:
                    say(f"    {escape(moment_text(moment))}")
            elif line.note:
                say(f"  {line.note}")
        return
    report = draw_sample(store_of(ctx), query, per_rep=per_rep, seed=seed)
    if output is OutputFormat.json:
        emit_json(report)
        return
    say(
        f"[bold]Assessment sample {cycle_text(report.cycle)}[/]: {report.per_rep} calls per rep, "
        f"spread across the cycle's weeks (seed {report.seed}: rerun with it to get the same calls)"
    )
    for sampled in report.reps:
        say(
            f"\n[bold]{escape(sampled.rep)}[/] ({sampled.team or 'no team'}): {len(sampled.calls)} of "
            f"{sampled.scored_calls} scored calls, covering {sampled.weeks_covered} of the "
            f"{sampled.weeks_with_calls} weeks with calls"
        )
        if sampled.flag:
            say(f"  [yellow]{sampled.flag}[/]")
        rows = [
            [c.call_id, c.date.date().isoformat() if c.date else "", c.week, c.account]
            for c in sampled.calls
        ]
        if rows:
            console.print(table(None, ["call", "date", "week", "account"], rows))
    for note in report.notes:
        say(f"[dim]note:[/] {note}")


SIGNAL_HELP = (
    "talk: rep speaking time / all speaking time · monologue: longest uninterrupted rep stretch · "
    "story: longest prospect stretch · questions: rep questions per 10 minutes · switches: "
    "speaker changes per minute · patience: mean pause before the rep answers the prospect"
)


def _signal_cells(means: dict[str, float | None]) -> list[str]:
    def num(key: str, digits: int = 1) -> str:
        value = means.get(key)
        return "-" if value is None else f"{value:.{digits}f}"

    return [
        pct(means.get("talk_ratio")),
        num("longest_monologue_s", 0) + " s",
        num("longest_story_s", 0) + " s",
        num("question_rate"),
        num("interactivity"),
        num("patience_s") + " s",
    ]


SIGNAL_COLUMNS = ["talk", "monologue", "story", "questions/10 min", "switches/min", "patience"]


@app.command("signals")
def signals_command(
    ctx: typer.Context,
    call: Annotated[str | None, typer.Option("--call", help="One call's signals.")] = None,
    rep: RepOpt = None,
    team: TeamOpt = None,
    cycle: CycleOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    rubric: RubricOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Conversation signals from segment timing: talk ratio, monologues, questions, patience."""
    from callcoach.services.assessment.signals import build_signals, call_signals_report

    store = store_of(ctx)
    if call:
        report = call_signals_report(store, call)
    else:
        report = build_signals(store, build_query(ctx, rubric, None, cycle, start, end, rep, team))
    if output is OutputFormat.json:
        emit_json(report)
        return
    header = (
        f"Conversation signals {cycle_text(report.cycle)}"
        if report.cycle
        else "Conversation signals"
    )
    say(f"[bold]{header}[/]\n{SIGNAL_HELP}")
    if report.reps:
        rows = []
        for line in report.reps:
            team_cells = _signal_cells(line.team_summary.means) if line.team_summary else ["-"] * 6
            mine = _signal_cells(line.summary.means)
            rows.append(
                [
                    line.rep,
                    f"{line.summary.calls - line.summary.calls_without_timing}/{line.summary.calls}",
                    *[f"{a} ({b})" for a, b in zip(mine, team_cells, strict=True)],
                ]
            )
        console.print(
            table("Per rep (team in brackets)", ["rep", "timed calls", *SIGNAL_COLUMNS], rows)
        )
    if report.calls:
        rows = []
        for s in report.calls:
            if s.omitted:
                rows.append([s.call_id, f"omitted: {s.omitted}", "", "", "", "", ""])
            else:
                rows.append([s.call_id, *_signal_cells(asdict(s))])
        console.print(table("Per call", ["call", *SIGNAL_COLUMNS], rows))
    for note in report.notes:
        say(f"[dim]note:[/] {note}")


# Registering the other assessment commands (import for the side effect).
from callcoach.cli import analytics_quality, score_exchange  # noqa: E402, F401
