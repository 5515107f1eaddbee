"""`callcoach score` (score calls in bulk) and `callcoach show call` (one call, with its evidence)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from callcoach.cli.app import app, state
from callcoach.cli.output import (
    FORMAT_OPTION,
    OutputFormat,
    console,
    fail,
    print_json,
)
from callcoach.cli.scoring_summary import summary_lines

show_app = typer.Typer(help="Show one item in detail.", no_args_is_help=True)
app.add_typer(show_app, name="show")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(value: str | None, option: str) -> date | datetime | None:
    """A bare date (a whole day) or an ISO 8601 date and time."""
    if value is None:
        return None
    text = value.strip()
    try:
        if _DATE.match(text):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM", param_hint=option
        ) from None


@app.command("score")
def score_command(
    ctx: typer.Context,
    rubric: Annotated[
        str | None,
        typer.Option("--rubric", help="Rubric id (default: CALLCOACH_DEFAULT_RUBRIC)."),
    ] = None,
    scorer: Annotated[
        str | None,
        typer.Option(
            "--scorer", help="embedded (offline), llm (OpenAI-compatible endpoint) or fake."
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option(metavar="DATE", help="Calls on or after this date.")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="Calls up to this date (a bare date includes the day)."),
    ] = None,
    rep: Annotated[str | None, typer.Option(help="Only this rep's calls.")] = None,
    team: Annotated[str | None, typer.Option(help="Only this team's calls.")] = None,
    call: Annotated[
        list[str] | None,
        typer.Option("--call", metavar="ID", help="Only this call (repeat for several)."),
    ] = None,
    rescore: Annotated[
        bool, typer.Option("--rescore", help="Score again calls already scored (replaces).")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes (embedded) or concurrent requests (llm). "
            "[default: CALLCOACH_WORKERS / CALLCOACH_LLM_CONCURRENCY]",
            show_default=False,
        ),
    ] = None,
    full_transcript: Annotated[
        bool,
        typer.Option(
            "--full-transcript",
            help="llm: send the whole transcript instead of the candidate segments.",
        ),
    ] = False,
    queue: Annotated[
        bool,
        typer.Option("--queue", help="Queue one job per call for `callcoach worker` instead."),
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="llm: ask the model again, past stored answers.")
    ] = False,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Score every call not yet scored on the rubric's latest version, in parallel.

    Each call is saved as soon as it is scored: an interrupted run continues where it stopped.
    Recorded as a job (`callcoach jobs`); run again after a kill, it continues the same job.
    """
    from callcoach.scoring.registry import scorer_names
    from callcoach.services.scoring.runs import CallSelection

    container = state(ctx).container()
    settings = container.settings
    name = scorer or settings.scorer
    if name not in scorer_names():
        raise fail(f"unknown scorer {name!r}; scorers: {', '.join(scorer_names())}")
    if (full_transcript or no_cache) and name != "llm":
        raise fail("--full-transcript and --no-cache apply to the llm scorer only")
    options: dict[str, Any] = {"full_transcript": True} if full_transcript else {}
    options.update({"use_cache": False} if no_cache else {})
    selection = CallSelection(
        since=parse_day(since, "--since"),
        until=parse_day(until, "--until"),
        rep=rep,
        team=team,
        call_ids=tuple(call or ()),
    )
    if queue:
        from callcoach.cli.jobs import queue_scoring

        queue_scoring(
            ctx,
            rubric=rubric or settings.default_rubric,
            scorer=name,
            selection=selection,
            scorer_options=options,
            rescore=rescore,
            output=output,
        )
        return
    from callcoach.cli.jobs import score_in_foreground

    summary = score_in_foreground(
        ctx,
        rubric=rubric or settings.default_rubric,
        scorer=name,
        selection=selection,
        scorer_options=options,
        rescore=rescore,
        workers=workers,
    )
    if output is OutputFormat.json:
        print_json(summary.to_dict())
    else:
        for line in summary_lines(summary, rescore):
            console.print(line, highlight=False)
    if summary.interrupted:
        raise typer.Exit(130)
    if summary.failures or summary.stopped:
        raise typer.Exit(1)


# -- show call -------------------------------------------------------------------------------------


def clock(seconds: float | None) -> str:
    hours, rest = divmod(int(seconds or 0), 3600)
    shown = (
        f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
    )
    return "" if seconds is None else shown


def detail_json(detail: Any) -> dict[str, Any]:
    call, rubric = detail.call, detail.rubric
    cited = detail.evidence_segments()
    runs = []
    for run in detail.runs:
        criteria = []
        for crit in run.criteria:
            known = rubric is not None and crit.criterion_id in rubric.criterion_ids
            definition = rubric.criterion(crit.criterion_id) if known else None
            criteria.append(
                {
                    "criterion_id": crit.criterion_id,
                    "name": definition.name if definition else crit.criterion_id,
                    "weight": definition.weight if definition else None,
                    "level": crit.level,
                    "anchor": definition.anchors.get(crit.level)
                    if definition and crit.level
                    else None,
                    "confidence": crit.confidence,
                    "rationale": crit.rationale,
                    "evidence": [
                        {
                            "segment": e.segment,
                            "quote": e.quote,
                            "speaker": e.speaker,
                            "start": e.start,
                            "end": e.end,
                            "likelihood": e.likelihood,
                            "reads_like": e.reads_like,
                        }
                        for e in crit.evidence
                    ],
                    "trust": detail.trust_json(crit.criterion_id),
                    "prompt_tokens": crit.prompt_tokens,
                    "completion_tokens": crit.completion_tokens,
                }
            )
        runs.append(
            {
                "scorer": run.scorer,
                "scorer_version": run.scorer_version,
                "status": run.status.value,
                "reason": run.reason,
                "overall": run.overall,
                "scored_at": run.created_at,
                "criteria": criteria,
            }
        )
    return {
        "call": {
            "call_id": call.external_id,
            "rep": call.rep,
            "team": detail.team,
            "date": call.date,
            "account": call.account,
            "deal": call.deal_external_id,
            "deal_outcome": detail.deal_outcome,
            "call_type": call.call_type,
            "duration_s": call.effective_duration(),
        },
        "rubric": {
            "id": rubric.id if rubric else None,
            "name": rubric.name if rubric else None,
            "version": detail.rubric_version,
        },
        "runs": runs,
        "ratings": [
            {
                "criterion_id": r.criterion_id,
                "level": r.level,
                "rater": r.rater,
                "source": r.source,
                "note": r.note,
            }
            for r in detail.ratings
        ],
        "transcript": [
            {
                "segment": s.index,
                "speaker": s.speaker,
                "role": s.role.value,
                "start": s.start,
                "end": s.end,
                "text": s.text,
                "evidence_for": cited.get(s.index, []),
            }
            for s in call.segments
        ],
        "other_scores": [
            {"rubric": r.rubric_id, "version": r.rubric_version, "scorer": r.scorer}
            for r in detail.available
        ],
    }


def _print_criterion(crit: Any, definition: Any) -> None:
    title = Text(definition.name if definition else crit.criterion_id, style="bold")
    if definition:
        title.append(f" ({definition.weight:g}%)", style="dim")
    title.append("  ")
    if crit.level is None:
        title.append("level withheld", style="bold yellow")
    else:
        title.append(f"level {crit.level}/5", style="bold cyan")
    title.append(f"  confidence {crit.confidence:.2f}", style="dim")
    console.print(title)
    anchor = definition.anchors.get(crit.level, "") if definition and crit.level else ""
    if anchor and anchor not in crit.rationale:  # the embedded scorer's rationale quotes it
        console.print(Text(f"  Anchor: {anchor}"))
    console.print(Text(f"  Why: {crit.rationale}"))
    if not crit.evidence:
        console.print(Text("  Evidence: none", style="dim"))
    for item in crit.evidence:
        line = Text("  \u201c", style="italic")
        line.append(item.quote, style="italic")
        line.append("\u201d", style="italic")
        where = f" - {item.speaker}, turn {item.segment}"
        if item.start is not None:
            where += f" at {clock(item.start)}"
        line.append(where, style="dim")
        console.print(line)
    console.print()


def _print_run(run: Any, rubric: Any) -> None:
    status = run.status.value
    heading = f"\n[bold]{escape(run.scorer)}[/] scorer [dim]({escape(run.scorer_version)})[/]"
    if status == "scored":
        overall = f"{run.overall:.1f} / 5" if run.overall is not None else "n/a"
        heading += f": overall [bold]{overall}[/] (mean level weighted by the rubric's weights)"
    else:
        heading += f": [yellow]{status.replace('_', ' ')}[/] - {escape(run.reason or '')}"
    console.print(heading, highlight=False)
    for crit in run.criteria:
        known = rubric is not None and crit.criterion_id in rubric.criterion_ids
        _print_criterion(crit, rubric.criterion(crit.criterion_id) if known else None)


def _print_transcript(detail: Any) -> None:
    cited = detail.evidence_segments()
    quotes: dict[int, list[str]] = {}
    for run in detail.runs:
        for crit in run.criteria:
            for item in crit.evidence:
                quotes.setdefault(item.segment, []).append(item.quote)
    console.print(
        "\n[bold]Transcript[/] (turns numbered from 0, as everywhere; highlighted: turns quoted as evidence)"
    )
    for seg in detail.call.segments:
        line = Text()
        line.append(f"[{seg.index}] ", style="dim")
        if seg.start is not None:
            line.append(f"{clock(seg.start)} ", style="dim")
        who = f"{seg.speaker}{' (rep)' if seg.is_rep else ''}: "
        line.append(who, style="bold green" if seg.is_rep else "bold blue")
        body = Text(seg.text)
        for quote in quotes.get(seg.index, []):
            start = seg.text.find(quote)
            if start >= 0:
                body.stylize("bold black on yellow", start, start + len(quote))
        line.append_text(body)
        if seg.index in cited:
            line.append(f"  \u25c0 {', '.join(cited[seg.index])}", style="bold magenta")
        console.print(line)


@show_app.command("call")
def show_call_command(
    ctx: typer.Context,
    call_id: Annotated[str, typer.Argument(metavar="CALL_ID", help="The call's id.")],
    rubric: Annotated[
        str | None,
        typer.Option("--rubric", help="Rubric whose scores to show (default: the call's)."),
    ] = None,
    scorer: Annotated[
        str | None, typer.Option("--scorer", help="Only this scorer's run (default: all).")
    ] = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Show a call: transcript with speakers and times, and per criterion the level, confidence,
    rationale and the evidence quotes (highlighted in the transcript)."""
    from callcoach.services.calls.detail import show_call
    from callcoach.services.common import NotFoundError

    container = state(ctx).container()
    try:
        detail = show_call(
            container.store,
            call_id,
            rubric_id=rubric,
            scorer=scorer,
            default_rubric=container.settings.default_rubric,
        )
    except NotFoundError as exc:
        raise fail(str(exc)) from exc
    if output is OutputFormat.json:
        print_json(detail_json(detail))
        return
    call = detail.call
    facts = [f"rep {call.rep or 'unknown'}" + (f" ({detail.team})" if detail.team else "")]
    if call.date:
        facts.append(f"{call.date:%Y-%m-%d %H:%M}")
    if call.account:
        facts.append(f"account {call.account}")
    if call.deal_external_id:
        outcome = f", {detail.deal_outcome}" if detail.deal_outcome else ""
        facts.append(f"deal {call.deal_external_id}{outcome}")
    duration = call.effective_duration()
    if duration:
        facts.append(f"{clock(duration)} long")
    facts.append(f"{len(call.segments)} segments")
    console.print(
        Panel(
            escape(" \u00b7 ".join(facts)), title=f"Call {escape(call.external_id)}", expand=False
        )
    )
    print_call_scores(detail)
    _print_transcript(detail)


def print_call_scores(detail: Any) -> None:
    """Per criterion the level, anchor, rationale and quotes; the managers' ratings (also
    printed by `callcoach demo`)."""
    call = detail.call
    if detail.rubric is not None and detail.runs:
        console.print(
            f"Rubric [bold]{escape(detail.rubric.name)}[/] ({escape(detail.rubric.id)}, "
            f"version {detail.rubric_version}). Levels 1-5; confidence 0-1."
        )
        for run in detail.runs:
            _print_run(run, detail.rubric)
    elif detail.rubric is not None:
        console.print(
            f"[yellow]Not scored on {escape(detail.rubric.id)} yet[/]: run "
            f"`callcoach score --rubric {escape(detail.rubric.id)} --call {escape(call.external_id)}`."
        )
    else:
        console.print(
            f"[yellow]Not scored yet[/]: run `callcoach score --call {escape(call.external_id)}`."
        )
    for rating in detail.ratings:
        console.print(
            f"Manager rating: {escape(rating.criterion_id)} level {rating.level} by "
            f"{escape(rating.rater)} ({rating.source})"
            + (f": {escape(rating.note)}" if rating.note else "")
        )
    others = [
        r
        for r in detail.available
        if detail.rubric is None
        or (r.rubric_id, r.rubric_version) != (detail.rubric.id, detail.rubric_version)
    ]
    if others:
        console.print(
            "[dim]Also scored on: "
            + ", ".join(f"{r.rubric_id} v{r.rubric_version} ({r.scorer})" for r in others)
            + " (--rubric to see another)[/]"
        )
