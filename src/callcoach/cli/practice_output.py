"""How `callcoach practice` prints scenarios, sessions and the coach."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.markup import escape

from callcoach.cli.analytics import say
from callcoach.cli.output import console, print_json, table
from callcoach.domain.practice import (
    DIFFICULTY_NAMES,
    Attempt,
    PracticeSession,
    Scenario,
    TurnSpeaker,
)
from callcoach.store.repositories.practice import SessionSummary


def scenario_json(scenario: Scenario) -> dict[str, Any]:
    return asdict(scenario)


def print_scenario(scenario: Scenario) -> None:
    persona = scenario.persona
    who = persona.name or "the prospect"
    if persona.role:
        who += f", {persona.role}"
    if persona.company:
        who += f" at {persona.company}"
    say(f"[bold]Scenario {scenario.id}[/] · {escape(scenario.title)}")
    say(
        f"  rep {escape(scenario.rep)} · {DIFFICULTY_NAMES[scenario.difficulty]} "
        f"(difficulty {scenario.difficulty}) · {scenario.turn_limit} turns · rubric "
        f"{scenario.rubric_id} v{scenario.rubric_version}"
    )
    if scenario.original.call_id:
        level = scenario.original.level
        say(
            f"  cut from call {escape(scenario.original.call_id)}, segment "
            f"{scenario.original.segment}" + (f", level {level} there" if level is not None else "")
        )
    if scenario.origin.get("from") == "assignment":
        target = scenario.origin.get("objection") or scenario.origin.get("criterion")
        say(
            f"  for practice assignment #{scenario.origin.get('assignment')}"
            + (f" ({escape(str(target))})" if target else "")
        )
    say(f"  [bold]You talk to[/] {escape(who)}")
    for line in persona.cares_about:
        say(f"    cares about: “{escape(line)}”")
    for line in persona.concerns:
        say(f"    concern: “{escape(line)}”")
    say(
        f"  [bold]Your goal[/] ({escape(scenario.goal.criterion_name)}, level "
        f"{scenario.goal.level}): {escape(scenario.goal.anchor)}"
    )
    if scenario.context:
        say("  [bold]Before the moment[/]")
        for context in scenario.context:
            say(f"    [dim]{escape(context.label)}:[/] {escape(context.text)}")
    say(f"  [bold]{escape(persona.name or 'Prospect')}:[/] {escape(scenario.opening_line)}")


def print_scenarios(scenarios: list[Scenario]) -> None:
    if not scenarios:
        say("No practice scenarios.")
        return
    console.print(
        table(
            None,
            ["id", "rep", "criterion", "difficulty", "from call", "level there", "title"],
            [
                [
                    s.id,
                    s.rep,
                    s.goal.criterion_id,
                    s.difficulty,
                    s.original.call_id or "-",
                    s.original.level if s.original.level is not None else "-",
                    s.title,
                ]
                for s in scenarios
            ],
        )
    )


def print_sessions(sessions: list[SessionSummary]) -> None:
    if not sessions:
        say("No practice sessions.")
        return
    console.print(
        table(
            None,
            [
                "session",
                "scenario",
                "rep",
                "criterion",
                "status",
                "attempts",
                "best",
                "last",
                "started",
            ],
            [
                [
                    s.id,
                    s.scenario_id,
                    s.rep,
                    s.criterion_id,
                    s.status.value,
                    s.attempts,
                    s.best_level if s.best_level is not None else "-",
                    s.last_level if s.last_level is not None else "-",
                    s.created_at.strftime("%Y-%m-%d %H:%M"),
                ]
                for s in sessions
            ],
        )
    )


def print_coach_message(message: dict[str, Any]) -> None:
    if message.get("by") == "rep":
        say(f"  [dim]you:[/] {escape(str(message.get('text', '')))}")
        return
    for sentence in message.get("sentences", []):
        mark = "" if sentence.get("check") != "flagged" else " [red](unverified)[/]"
        say(f"  [bold magenta]coach:[/] {escape(sentence['text'])}{mark}")


def print_attempt(attempt: Attempt, scenario: Scenario) -> None:
    say(f"[bold]Attempt {attempt.number}[/] · {attempt.status.value}")
    persona = scenario.persona.name or "Prospect"
    say(f"  [dim]{escape(persona)}:[/] {escape(scenario.opening_line)}")
    line = 0
    for turn in attempt.turns:
        if turn.speaker is TurnSpeaker.PRACTITIONER:
            line += 1
            say(f"  [bold]you [line-{line}]:[/] {escape(turn.text)}")
        else:
            say(f"  [dim]{escape(persona)}:[/] {escape(turn.text)}")
    score = attempt.score
    if score is not None:
        say(
            f"  level {score.level} on {escape(scenario.goal.criterion_name)} "
            f"(scorer {score.scorer}); on the real call: "
            f"{scenario.original.level if scenario.original.level is not None else '-'}"
        )
    elif attempt.debrief.get("reason"):
        say(f"  not scored: {escape(str(attempt.debrief['reason']))}")
    for message in attempt.debrief.get("messages", []):
        print_coach_message(message)


def print_session(session: PracticeSession, scenario: Scenario, output_json: bool) -> None:
    if output_json:
        data = asdict(session)
        for attempt in data["attempts"]:
            for turn in attempt["turns"]:
                turn.pop("source", None)  # where a reply came from names another call
        print_json({"session": data, "scenario": asdict(scenario)})
        return
    say(
        f"[bold]Session {session.id}[/] · {escape(scenario.title)} · {escape(session.rep)} · "
        f"{session.status.value} · best level {session.best_level or '-'}"
    )
    for attempt in session.attempts:
        print_attempt(attempt, scenario)
