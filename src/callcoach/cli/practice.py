"""`callcoach practice ...`: practise a scored moment against the prospect, then talk it through.

The command line acts as an administrator of its own database; `--as USER` acts as that web
user instead (their role and scope), with exactly the rules of the web app and the API.
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.markup import escape

from callcoach.cli.analytics import say
from callcoach.cli.app import app
from callcoach.cli.options import AsOpt, CycleOpt, RubricOpt, acting_as
from callcoach.cli.output import FORMAT_OPTION, OutputFormat, console, err_console, print_json
from callcoach.cli.practice_output import (
    print_attempt,
    print_coach_message,
    print_scenario,
    print_scenarios,
    print_session,
    print_sessions,
)

practice_app = typer.Typer(
    help="Practice: a scenario cut from a scored moment, a session against the prospect (text "
    "here, voice in the browser), scored on the same criterion, then the coach and a retry.",
    no_args_is_help=True,
)
app.add_typer(practice_app, name="practice")

DifficultyOpt = Annotated[
    int,
    typer.Option(
        "--difficulty",
        min=1,
        max=3,
        help="How hard the prospect pushes back: 1 easy, 2 as real prospects did, 3 hard.",
    ),
]
TurnsOpt = Annotated[
    int,
    typer.Option("--turns", min=1, max=30, help="Your turns in one attempt before it is scored."),
]


@practice_app.command("create")
def create_command(
    ctx: typer.Context,
    call: Annotated[
        str | None, typer.Option("--call", help="The call to cut the moment from.")
    ] = None,
    criterion: Annotated[
        str | None, typer.Option("--criterion", "-c", help="The criterion to practise.")
    ] = None,
    segment: Annotated[
        int | None,
        typer.Option(
            "--segment",
            help="The moment: the rep's segment (or the prospect's, answered by the rep); "
            "default: the call's evidence on the criterion.",
        ),
    ] = None,
    rep: Annotated[
        str | None, typer.Option("--rep", help="Cut from this rep's coaching priority instead.")
    ] = None,
    priority: Annotated[
        int, typer.Option("--priority", min=1, help="Which coaching priority of --rep (1 or 2).")
    ] = 1,
    assignment: Annotated[
        int | None,
        typer.Option(
            "--assignment",
            help="Cut for this practice assignment: an objection type from a moment of it in "
            "the rep's lost deals, a criterion from the rep's weakest moment on it.",
        ),
    ] = None,
    cycle: CycleOpt = None,
    rubric: RubricOpt = None,
    difficulty: DifficultyOpt = 2,
    turns: TurnsOpt = 6,
    as_user: AsOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Cut a practice scenario from a call's moment (--call, --criterion, [--segment]), from a rep's coaching priority (--rep, --priority: its weakest moment) or for a practice assignment (--assignment)."""
    from callcoach.services.practice.from_assignment import create_from_assignment
    from callcoach.services.practice.scenarios import create_from_call, create_from_priority

    container, viewer = acting_as(ctx, as_user)
    common: dict[str, Any] = {
        "viewer": viewer,
        "settings": container.settings,
        "difficulty": difficulty,
        "turn_limit": turns,
    }
    if assignment is not None:
        if call or rep or criterion:
            raise typer.BadParameter(
                "--assignment chooses the moment itself: give it without --call, --criterion "
                "or --rep",
                param_hint="--assignment",
            )
        scenario = create_from_assignment(container.store, assignment, **common)
    elif rep and not call:
        scenario = create_from_priority(
            container.store, rep, priority, rubric=rubric, cycle=cycle, **common
        )
    elif call and not rep:
        if not criterion:
            raise typer.BadParameter("give the criterion to practise", param_hint="--criterion")
        scenario = create_from_call(
            container.store, call, criterion, segment=segment, rubric=rubric, **common
        )
    else:
        raise typer.BadParameter(
            "give --call CALL --criterion C, --rep REP [--priority N], or --assignment ID"
        )
    if output is OutputFormat.json:
        print_json(asdict(scenario))
        return
    print_scenario(scenario)
    say(f"\nPractise it: callcoach practice session {scenario.id}")


@practice_app.command("list")
def list_command(
    ctx: typer.Context,
    rep: Annotated[str | None, typer.Option("--rep", help="Only this rep's.")] = None,
    sessions: Annotated[
        bool, typer.Option("--sessions", help="List sessions instead of scenarios.")
    ] = False,
    scenario: Annotated[
        int | None, typer.Option("--scenario", help="With --sessions: only this scenario's.")
    ] = None,
    as_user: AsOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """The practice scenarios (or, with --sessions, the sessions) the viewer may see, newest first."""
    from callcoach.services.practice.scenarios import list_scenarios
    from callcoach.services.practice.sessions import list_sessions

    container, viewer = acting_as(ctx, as_user)
    if sessions:
        found = list_sessions(container.store, viewer, rep=rep, scenario_id=scenario)
        if output is OutputFormat.json:
            print_json([asdict(s) for s in found])
        else:
            print_sessions(found)
        return
    scenarios = list_scenarios(container.store, viewer, rep=rep)
    if output is OutputFormat.json:
        print_json([asdict(s) for s in scenarios])
    else:
        print_scenarios(scenarios)


@practice_app.command("show")
def show_command(
    ctx: typer.Context,
    scenario_id: Annotated[int, typer.Argument(help="The scenario.")],
    as_user: AsOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """A scenario: the persona, the context, the prospect's line, the goal, difficulty and turns."""
    from callcoach.services.practice.scenarios import show_scenario

    container, viewer = acting_as(ctx, as_user)
    scenario = show_scenario(container.store, scenario_id, viewer)
    if output is OutputFormat.json:
        print_json(asdict(scenario))
    else:
        print_scenario(scenario)


@practice_app.command("edit")
def edit_command(
    ctx: typer.Context,
    scenario_id: Annotated[int, typer.Argument(help="The scenario.")],
    title: Annotated[str | None, typer.Option("--title", help="A new title.")] = None,
    difficulty: Annotated[
        int | None, typer.Option("--difficulty", min=1, max=3, help="1 easy, 2 real, 3 hard.")
    ] = None,
    turns: Annotated[
        int | None, typer.Option("--turns", min=1, max=30, help="Turns per attempt.")
    ] = None,
    opening: Annotated[
        str | None, typer.Option("--opening", help="The prospect's line at the moment.")
    ] = None,
    goal: Annotated[str | None, typer.Option("--goal", help="The goal shown to the rep.")] = None,
    persona_name: Annotated[str | None, typer.Option("--persona-name", help="Their name.")] = None,
    persona_role: Annotated[str | None, typer.Option("--persona-role", help="Their title.")] = None,
    company: Annotated[str | None, typer.Option("--company", help="Their company.")] = None,
    cares: Annotated[
        list[str] | None, typer.Option("--cares", help="What they care about (repeatable).")
    ] = None,
    concerns: Annotated[
        list[str] | None, typer.Option("--concern", help="A concern of theirs (repeatable).")
    ] = None,
    as_user: AsOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Edit a scenario (managers and administrators): persona, prospect's line, goal, difficulty, turns."""
    from callcoach.services.practice.scenarios import edit_scenario

    container, viewer = acting_as(ctx, as_user)
    values = {
        "title": title,
        "difficulty": difficulty,
        "turn_limit": turns,
        "opening_line": opening,
        "goal_anchor": goal,
        "persona_name": persona_name,
        "persona_role": persona_role,
        "persona_company": company,
        "cares_about": cares,
        "concerns": concerns,
    }
    changes = {k: v for k, v in values.items() if v is not None}
    if not changes:
        raise typer.BadParameter("nothing to change: give at least one option (see --help)")
    scenario = edit_scenario(container.store, scenario_id, changes, viewer)
    if output is OutputFormat.json:
        print_json(asdict(scenario))
    else:
        print_scenario(scenario)


@practice_app.command("transcript")
def transcript_command(
    ctx: typer.Context,
    session_id: Annotated[int, typer.Argument(help="The session.")],
    as_user: AsOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """A session: every attempt's turns, its level on the criterion and the coach's debrief."""
    from callcoach.services.practice.scenarios import show_scenario
    from callcoach.services.practice.sessions import show_session

    container, viewer = acting_as(ctx, as_user)
    session = show_session(container.store, session_id, viewer)
    scenario = show_scenario(container.store, session.scenario_id, viewer)
    print_session(session, scenario, output is OutputFormat.json)


SESSION_HELP = (
    "Type what you would say and press Enter. Commands: /end (end this attempt and be scored), "
    "/retry (try the moment again), /finish (end the session), /help."
)


@practice_app.command("session")
def session_command(
    ctx: typer.Context,
    scenario_id: Annotated[
        int | None, typer.Argument(help="The scenario to practise (a new session).")
    ] = None,
    resume: Annotated[
        int | None, typer.Option("--resume", help="Continue this session instead.")
    ] = None,
    llm: Annotated[
        bool | None,
        typer.Option(
            "--llm/--no-llm",
            help="Let the configured model (CALLCOACH_LLM_*) play the prospect and phrase the "
            "coach [default: CALLCOACH_PRACTICE_LLM].",
            show_default=False,
        ),
    ] = None,
    as_user: AsOpt = None,
) -> None:
    """Practise in text mode: answer the prospect line by line, /end to be scored, talk it through with the coach, /retry the moment."""
    from callcoach.services.practice.scenarios import show_scenario
    from callcoach.services.practice.sessions import PracticeKit, show_session, start_session

    if (scenario_id is None) == (resume is None):
        raise typer.BadParameter("give a SCENARIO_ID for a new session, or --resume SESSION")
    container, viewer = acting_as(ctx, as_user)
    store = container.store
    settings = container.settings
    if llm is not None:
        settings = settings.model_copy(update={"practice_llm": llm})
    if resume is not None:
        session = show_session(store, resume, viewer)
    else:
        assert scenario_id is not None
        show_scenario(store, scenario_id, viewer)
        session = start_session(store, scenario_id, viewer)
    scenario = show_scenario(store, session.scenario_id, viewer)
    kit = PracticeKit.build(store, settings, container.scorer_config())
    print_scenario(scenario)
    say(f"\n[bold]Session {session.id}[/]. {SESSION_HELP}")
    if session.current is not None and session.current.turns:
        print_attempt(session.current, scenario)
    with console.status("Preparing the prospect from your organisation's calls..."):
        kit.prospect.engine()
    assert session.id is not None
    _loop(kit, session.id, viewer, scenario.persona.name or "Prospect")


def _read(prompt: str) -> str | None:
    console.print(prompt, end="", highlight=False)
    line = sys.stdin.readline()
    return None if line == "" else line.rstrip("\n")


def _loop(kit: Any, session_id: int, viewer: Any, persona: str) -> None:
    from callcoach.domain.practice import AttemptStatus, SessionStatus
    from callcoach.services.common import ServiceError
    from callcoach.services.practice import sessions as ops

    while True:
        session = ops.show_session(kit.store, session_id, viewer)
        attempt = session.current
        if session.status is SessionStatus.FINISHED or attempt is None:
            say(f"Session {session_id} finished; best level {session.best_level or '-'}.")
            return
        stage = attempt.debrief.get("stage")
        in_progress = attempt.status is AttemptStatus.IN_PROGRESS
        prompt = (
            "[bold]you>[/] "
            if in_progress or stage in ("recall", "reflect")
            else ("[bold]/retry or /finish>[/] ")
        )
        line = _read(prompt)
        if line is None:
            say(
                f"\nSession {session_id} left open: callcoach practice session --resume {session_id}"
            )
            return
        command = line.strip().lower()
        try:
            if command == "/help":
                say(SESSION_HELP)
            elif command == "/end":
                with console.status("Scoring your attempt..."):
                    session = ops.end_attempt(kit, session_id, viewer)
                _after_end(session)
            elif command == "/retry":
                ops.retry(kit.store, session_id, viewer)
                say("[bold]Again, from the same moment.[/]")
            elif command == "/finish":
                if in_progress and attempt.practitioner_turns:
                    _after_end(ops.end_attempt(kit, session_id, viewer))
                ops.finish_session(kit.store, session_id, viewer)
            elif in_progress:
                outcome = ops.take_turn(kit, session_id, line, viewer)
                _print_reply(outcome, persona)
            elif stage in ("recall", "reflect"):
                session = ops.answer_coach(kit, session_id, line, viewer)
                current = session.current
                assert current is not None
                print_coach_message(current.debrief["messages"][-1])
            else:
                err_console.print("[red]this attempt is over:[/] type /retry or /finish")
        except ServiceError as exc:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)


def _after_end(session: Any) -> None:
    attempt = session.current
    if attempt.score is not None:
        say(f"[bold]Attempt {attempt.number} scored.[/]")
    for message in attempt.debrief.get("messages", []):
        print_coach_message(message)


def _print_reply(outcome: Any, name: str) -> None:
    reply = outcome.reply
    if reply.text:
        say(f"[bold cyan]{escape(name)}:[/] {escape(reply.text)}")
    elif reply.note:
        say(f"[yellow]{escape(reply.note)}[/]")
    if outcome.attempt_ended:
        say("[dim]That was the last turn of this attempt.[/]")
        _after_end(outcome.session)
