"""`callcoach practice rehearse`: a manager rehearses a review against a persona of the rep."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.markup import escape

from callcoach.cli.analytics import say
from callcoach.cli.app import state
from callcoach.cli.output import FORMAT_OPTION, OutputFormat, console, print_json, table
from callcoach.cli.practice import practice_app

END = "/end"
QUIT = "/quit"


def _script(path: Path) -> list[str]:
    """The manager's lines from a file: one a line, blank lines and '#' comments skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise typer.BadParameter(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise typer.BadParameter(f"{path}: not UTF-8 text ({exc.reason})") from exc
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if not lines:
        raise typer.BadParameter(f"{path}: no line to say (one line per turn)")
    return lines


def _typed() -> Iterator[str]:
    """The manager's lines as typed; the end of input ends the attempt (scored)."""
    while True:
        try:
            yield typer.prompt("You", default="", show_default=False)
        except (click.exceptions.Abort, EOFError):
            yield END
            return


def print_persona(persona: dict[str, Any]) -> None:
    ratio = persona.get("talk_ratio")
    words = persona.get("words_per_turn")
    say(
        f"[bold]{escape(str(persona.get('rep')))}[/], from {persona.get('calls', 0)} of their "
        f"calls ({persona.get('turns', 0)} turns): talks "
        + (f"{ratio:.0%} of the time" if ratio is not None else "(no talk ratio)")
        + (f", {words:g} words a turn" if words is not None else "")
        + "."
    )
    if not persona.get("self_assessed"):
        say(
            "[yellow]No self-assessment on record: the persona has no view of their own to give.[/]"
        )
    for dispute in persona.get("disputes", []):
        say(
            f"Disputes [bold]{dispute['dimension']}[/]: rates themself {dispute['self_rating']}, "
            f'the evidence {dispute["evidence_rating"]} ("{escape(dispute["words"])}").'
        )
    say(f"Knows the {persona.get('moments', 0)} call moments the review cites.")


def print_attempt(view: Any) -> None:
    attempt = view.current
    data = attempt.debrief if attempt else {}
    score = data.get("score") or {}
    debrief = data.get("debrief") or {}
    if score.get("status") != "scored":
        say(f"[yellow]Not scored:[/] {escape(str(score.get('reason') or debrief.get('reason')))}")
    else:
        rows = []
        for crit in score.get("criteria", []):
            quote = crit["evidence"][0] if crit["evidence"] else None
            rows.append(
                [
                    crit["criterion_id"],
                    crit["level"],
                    f"line {quote['line']}: {quote['quote']}" if quote else "",
                ]
            )
        console.print(
            table(
                f"Attempt {attempt.number}: overall {score.get('overall') or 0:.2f} "
                "(review-conversation rubric)",
                ["criterion", "level", "evidence (your line)"],
                rows,
            )
        )
    say(f"[bold]Coach[/]: {escape(debrief.get('opening_question', ''))}")
    if data.get("self_judgement"):
        say(f"You said: {escape(data['self_judgement'])}")
    for item in debrief.get("items", []):
        cites = "; ".join(f'line {c["line"]}: "{c["quote"]}"' for c in item.get("cites", []))
        say(f"- {escape(item['text'])}" + (f"\n  [dim]{escape(cites)}[/]" if cites else ""))
        if item.get("question"):
            say(f"  [italic]{escape(item['question'])}[/]")


def _json(view: Any) -> dict[str, Any]:
    return {
        "rehearsal": view.session_id,
        "review": view.review_id,
        "rep": view.rep,
        "manager": view.manager,
        "persona": view.persona,
        "attempts": [
            {
                "number": a.number,
                "status": a.status.value,
                "level": a.level,
                "turns": [
                    {"speaker": t.speaker.value, "text": t.text, "source": t.source}
                    for t in a.turns
                ],
                "score": a.debrief.get("score"),
                "debrief": a.debrief.get("debrief"),
                "self_judgement": a.debrief.get("self_judgement"),
            }
            for a in view.attempts
        ],
    }


@practice_app.command("rehearse")
def rehearse_command(
    ctx: typer.Context,
    review: Annotated[int, typer.Option("--review", help="The review to rehearse.")],
    script: Annotated[
        Path | None,
        typer.Option(
            "--script",
            help="Say these lines (a text file, one line a turn) instead of typing them; "
            "the attempt is then scored and debriefed.",
        ),
    ] = None,
    judgement: Annotated[
        str | None,
        typer.Option(
            "--self-judgement",
            help="How you think it went (asked interactively when not given).",
        ),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="Act as this web user (a manager of the rep, or an admin)."),
    ] = None,
    llm: Annotated[
        bool | None,
        typer.Option(
            "--llm/--no-llm",
            help="Let the configured model (CALLCOACH_LLM_*) phrase the rep's lines, behind "
            "the guardrails [default: CALLCOACH_REHEARSAL_LLM].",
            show_default=False,
        ),
    ] = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Deliver a review to a persona of the rep, built offline from the rep's own calls, self-assessment and review pack; scored on the review-conversation rubric and debriefed. Type /end to be scored, /quit to stop."""
    from callcoach.domain.access import SYSTEM
    from callcoach.services.accounts.users import get_user
    from callcoach.services.rehearsals.persona import default_persona_encoder
    from callcoach.services.rehearsals.rep_model import RepModel
    from callcoach.services.rehearsals.session import (
        finish_attempt,
        retry,
        start_rehearsal,
    )
    from callcoach.services.rehearsals.session import (
        say as say_line,
    )

    lines = _script(script) if script else None
    container = state(ctx).container()
    viewer = SYSTEM if not as_user else get_user(container.store, as_user).viewer
    encode = default_persona_encoder(container.settings.embedding_model)
    scorer = container.scorer_config()
    store = container.store
    model = RepModel.configured(container.settings, llm)
    view = start_rehearsal(store, review, encode, viewer)
    interactive = lines is None
    if output is OutputFormat.table:
        say(f"[bold]Rehearsal {view.session_id}[/] of review {review}.")
        print_persona(view.persona)
        if interactive:
            say(f"You open the meeting. Type your lines; {END} to be scored, {QUIT} to stop.")
    while True:
        for line in lines if lines is not None else _typed():
            if line.strip() == QUIT:
                say(f"Stopped; rehearsal {view.session_id} is kept unscored.")
                return
            if line.strip() == END:
                break
            if not line.strip():
                say("[yellow]The line is empty: say something to the rep.[/]")
                continue
            answer = say_line(store, view.session_id, line, encode, viewer, model=model)
            if output is OutputFormat.table:
                if not interactive:
                    say(f"[bold]You[/]: {escape(line)}")
                sources = ", ".join(s.label for s in answer.sources)
                say(
                    f"[bold]{escape(view.rep)}[/]: {escape(answer.text)}  [dim]({escape(sources)})[/]"
                )
                if answer.model_refused:
                    say(
                        f"[dim]  (the model's line was refused: {escape('; '.join(answer.model_refused))})[/]"
                    )
        if interactive and judgement is None:
            judgement = typer.prompt(
                "Coach: before the scores, how do you think it went?",
                default="",
                show_default=False,
            )
        view = finish_attempt(store, view.session_id, scorer, viewer, judgement)
        if output is OutputFormat.json:
            print_json(_json(view))
        else:
            print_attempt(view)
        if not interactive or not typer.confirm("Try again from the start?", default=False):
            return
        view = retry(store, view.session_id, viewer)
        judgement = None
