"""`callcoach scorer teach`: answer, one moment at a time, the questions that teach the most."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from callcoach.cli.app import state
from callcoach.cli.output import console, fail
from callcoach.cli.scorer import _rater, scorer_app

BATCH = 5  # moments asked before the queue is rebuilt with what was just taught
ANSWERS = {
    "c": "confirm",
    "y": "confirm",
    "confirm": "confirm",
    "r": "reject",
    "n": "reject",
    "reject": "reject",
    "s": "skip",
    "skip": "skip",
    "q": "quit",
    "quit": "quit",
}


def _show(queue: Any, moment: Any, number: int) -> None:
    console.rule(f"[bold]{queue.name}[/] - moment {number}")
    console.print(
        f"Call [bold]{moment.call_id}[/] ({moment.rep or 'rep unknown'}), turn {moment.turn}, "
        f"{moment.where}:",
        highlight=False,
    )
    for turn in moment.context:
        text = f"  {turn.turn:>4}  {turn.speaker}: {turn.text}"
        console.print(f"[bold]{text}[/]" if turn.is_moment else f"[dim]{text}[/]", highlight=False)
    console.print(f"Does turn {moment.turn} show [bold]{queue.name}[/]?", highlight=False)


def _anchors(queue: Any) -> None:
    console.print(f"[bold]{queue.name}[/]: {queue.description}", highlight=False)
    for level in sorted(queue.anchors, reverse=True):
        console.print(f"  level {level}: {queue.anchors[level]}", highlight=False)


@scorer_app.command("teach")
def teach(
    ctx: typer.Context,
    criterion: Annotated[
        str, typer.Option("--criterion", "-c", help="Criterion id to teach.", show_default=False)
    ],
    rubric: Annotated[
        str | None,
        typer.Option("--rubric", "-r", help="Rubric id (default: CALLCOACH_DEFAULT_RUBRIC)."),
    ] = None,
    rater: Annotated[
        str | None, typer.Option("--rater", help="Who answers. [default: your user name]")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="Stop after this many answers.")
    ] = 50,
) -> None:
    """Answer confirm / reject / skip / quit on the moments that teach the scorer most.

    Every answer is an evidence verdict, like `callcoach scorer feedback confirm|reject`. The
    queue stops once the criterion is trusted.
    """
    from callcoach.domain.scores import FeedbackVerdict
    from callcoach.services.common import ServiceError
    from callcoach.services.scoring.teaching import record_feedback
    from callcoach.services.scoring.trust import measure_trust
    from callcoach.services.scoring.trust_teach import teach_queue

    container = state(ctx).container()
    store = container.store
    rubric_id = rubric or container.settings.default_rubric
    who = rater or _rater()
    answered, skipped, asked = 0, set(), 0
    counts = {"confirm": 0, "reject": 0, "skip": 0}
    try:
        measure_trust(store, rubric_id)
        queue = teach_queue(store, rubric_id, criterion, count=BATCH)
        _anchors(queue)
        console.print(f"{queue.trust.state.label}; {queue.needed_text}.", highlight=False)
        while queue.moments and answered < limit:
            for moment in queue.moments:
                asked += 1
                _show(queue, moment, asked)
                while True:
                    reply = typer.prompt("[c]onfirm / [r]eject / [s]kip / [q]uit").strip().lower()
                    if reply in ANSWERS:
                        break
                    console.print("Answer c, r, s or q.")
                action = ANSWERS[reply]
                if action == "quit":
                    raise typer.Exit(_summary(counts, queue))
                counts[action] += 1
                if action == "skip":
                    skipped.add((moment.call_id, moment.turn))
                    continue
                verdict = (
                    FeedbackVerdict.CONFIRMED if action == "confirm" else FeedbackVerdict.REJECTED
                )
                record_feedback(
                    store,
                    call_id=moment.call_id,
                    criterion_id=criterion,
                    segment=moment.turn,
                    verdict=verdict,
                    rubric_id=rubric_id,
                    rater=who,
                )
                answered += 1
                if answered >= limit:
                    break
            # Re-measure with the new answers: the queue stops once the criterion is trusted.
            measure_trust(store, rubric_id)
            queue = teach_queue(store, rubric_id, criterion, count=BATCH, skip=frozenset(skipped))
            console.print(f"{queue.trust.state.label}; {queue.needed_text}.", highlight=False)
        if queue.stopped:
            console.print(queue.stopped + ".", highlight=False)
    except ServiceError as exc:
        raise fail(str(exc)) from exc
    _summary(counts, queue)


def _summary(counts: dict[str, int], queue: Any) -> int:
    console.print(
        f"{counts['confirm']} confirmed, {counts['reject']} rejected, {counts['skip']} skipped. "
        "The scorer uses them from the next scoring run (`callcoach score --rescore`).",
        highlight=False,
    )
    return 0
