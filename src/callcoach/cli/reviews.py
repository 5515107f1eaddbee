"""`callcoach review ...`: performance reviews built from call evidence.

The command line acts as an administrator of its own database; `--as USER` acts as that web
user instead (their role and teams), with exactly the rules of the web app and the API.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from callcoach.cli.analytics import emit_json, finite, say
from callcoach.cli.app import app, state
from callcoach.cli.options import AsOpt, RubricOpt, acting_as
from callcoach.cli.output import (
    FORMAT_OPTION,
    OutputFormat,
    console,
    fail,
    print_json,
    table,
)
from callcoach.cli.review_output import print_pack, print_review, summary_rows

review_app = typer.Typer(
    help="Performance reviews: the evidence pack, the rep's self-assessment, the cited text, "
    "the plan and its 30-day checkpoint.",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")

AsOfOpt = Annotated[
    datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], help="Last day of the window (default: today)."),
]


def _window(text: str | None) -> int | None:
    if text is None:
        return None
    match = re.fullmatch(r"\s*(\d+)\s*d?\s*", text)
    if not match:
        raise typer.BadParameter(
            f"{text!r} is not a number of days like 60d", param_hint="--window"
        )
    return int(match.group(1))


def _team_cycle(
    ctx: typer.Context, team: str, common: dict[str, Any], viewer: Any, queue: bool
) -> Any:
    """A team's cycle as a job: run here with progress (the command is the worker), or queued
    for the workers. Returns the TeamPreparation, or None when queued."""
    from datetime import date

    from callcoach.cli.jobs import run_in_foreground
    from callcoach.services.reviews.jobs import review_packs_request

    request = review_packs_request(
        team,
        rubric=common["rubric"],
        as_of=common["as_of"] or date.today(),
        window_days=common["window_days"],
        owner=None if viewer.username == "cli" else viewer.username,
    )
    if queue:
        from callcoach.bootstrap import celery_queue, job_registry
        from callcoach.services.jobs.queue import submit_job

        container = state(ctx).container()
        celery = celery_queue(container)
        celery.check()
        job, sent = submit_job(
            container.store,
            celery,
            job_registry(container),
            request,
            default_attempts=container.settings.job_max_attempts,
        )
        how = "queued" if sent else f"already {job.status.value}"
        say(f"The {escape(team)} review cycle is {how} as job {job.id} (`callcoach jobs`).")
        return None
    outcome = run_in_foreground(ctx, request)
    if outcome.value is None:
        if not outcome.ran:
            raise fail(f"job {outcome.job_id} is {outcome.error}; `callcoach jobs` shows it")
        raise fail(f"job {outcome.job_id} {outcome.status.value}: {outcome.error}")
    return outcome.value


@review_app.command("prepare")
def prepare_command(
    ctx: typer.Context,
    rep: Annotated[str | None, typer.Option("--rep", help="The rep to review.")] = None,
    team: Annotated[
        str | None, typer.Option("--team", help="Every rep of this team (a review cycle).")
    ] = None,
    as_of: AsOfOpt = None,
    window: Annotated[
        str | None,
        typer.Option(
            "--window",
            help="Days of evidence before --as-of, like 60d [default: CALLCOACH_REVIEW_WINDOW_DAYS].",
            show_default=False,
        ),
    ] = None,
    rubric: RubricOpt = None,
    as_user: AsOpt = None,
    queue: Annotated[
        bool,
        typer.Option(
            "--queue", help="With --team: queue the cycle for `callcoach worker` instead."
        ),
    ] = False,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Gather the evidence and build the review pack (stored as a draft review): deal buckets, the four dimensions with proposed ratings, questions, anchored feedback, the plan. A team's cycle (--team) runs as a job: shown by `callcoach jobs`, resumed if the command is killed."""
    from callcoach.services.reviews.prepare import prepare_review

    if bool(rep) == bool(team):
        raise typer.BadParameter("give --rep NAME or --team NAME")
    container, viewer = acting_as(ctx, as_user)
    settings = container.settings
    common: dict[str, Any] = {
        "rubric": rubric or settings.default_rubric,
        "as_of": as_of.date() if as_of else None,
        "window_days": _window(window),
        "viewer": viewer,
        "settings": settings,
        "preferred_scorer": settings.scorer,
    }
    if queue and not team:
        raise typer.BadParameter("--queue prepares a team's cycle: give --team NAME")
    if team:
        result = _team_cycle(ctx, team, common, viewer, queue)
        if result is None:
            return
        if output is OutputFormat.json:
            emit_json(result)
            return
        say(
            f"[bold]Review cycle for {escape(team)}[/] as of {result.as_of.isoformat()}: "
            f"{len(result.prepared)} packs prepared in {result.seconds:.1f} s"
        )
        console.print(
            table(
                None,
                ["review", "rep", "seconds"],
                [[p["review"], p["rep"], p["seconds"]] for p in result.prepared],
            )
        )
        for skipped in result.already:
            say(f"{escape(str(skipped['rep']))}: already prepared as review {skipped['review']}")
        for failure in result.failed:
            say(f"[yellow]{escape(failure['rep'])}[/]: {escape(failure['reason'])}")
        say("Next: `callcoach review show ID`, `callcoach review draft ID`.")
        return
    assert rep is not None
    done = prepare_review(container.store, rep, **common)
    if output is OutputFormat.json:
        from callcoach.services.reviews.common import pack_to_json

        print_json({"review": done.review_id, "pack": finite(pack_to_json(done.pack))})
        return
    say(f"[bold]Review {done.review_id}[/] prepared for {escape(done.rep)} ({done.seconds:.2f} s).")
    print_pack(done.pack)
    say(
        f"Next: `callcoach review draft {done.review_id}` writes the text; the rep enters "
        f"their self-assessment (`callcoach review self-assess {done.review_id}` or the web page)."
    )


@review_app.command("show")
def show_command(
    ctx: typer.Context,
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    as_user: AsOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """A review: its state, the pack, the self-assessment and perception gaps, ratings, the plan, the text's check, and what is missing."""
    from callcoach.services.reviews.views import show_review

    container, viewer = acting_as(ctx, as_user)
    view = show_review(container.store, review_id, viewer)
    if output is OutputFormat.json:
        from callcoach.services.reviews.views_json import view_json

        print_json(view_json(view))
        return
    print_review(view)


@review_app.command("list")
def list_command(
    ctx: typer.Context,
    rep: Annotated[str | None, typer.Option("--rep", help="Only this rep.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only this team.")] = None,
    state_: Annotated[
        str | None, typer.Option("--state", help="draft, shared, held or closed.")
    ] = None,
    as_user: AsOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Reviews you may see, newest first, with what each still lacks."""
    from callcoach.services.reviews.views import list_reviews

    container, viewer = acting_as(ctx, as_user)
    reviews = list_reviews(container.store, viewer, rep=rep, team=team, state=state_)
    if output is OutputFormat.json:
        from callcoach.services.reviews.views import quick_missing

        print_json([{**finite(_asdict(r)), "missing": quick_missing(r)} for r in reviews])
        return
    console.print(
        table(
            f"Reviews ({len(reviews)})",
            ["id", "rep", "team", "as of", "state", "self-assessed", "missing"],
            summary_rows(reviews),
        )
    )


def _asdict(value: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(value)


def _pairs(values: list[str] | None, what: str) -> dict[str, str]:
    result = {}
    for value in values or []:
        key, sep, rest = value.partition("=")
        if not sep:
            raise typer.BadParameter(f"{value!r}: write DIMENSION=VALUE", param_hint=what)
        result[key.strip().lower()] = rest.strip()
    return result


@review_app.command("self-assess")
def self_assess_command(
    ctx: typer.Context,
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    rating: Annotated[
        list[str] | None,
        typer.Option(
            "--rating", help="DIMENSION=1-5, once per dimension (output, activity, skill, growth)."
        ),
    ] = None,
    words: Annotated[
        list[str] | None, typer.Option("--words", help='DIMENSION="why", once per dimension.')
    ] = None,
    as_user: AsOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """The rep's self-assessment, per dimension a rating 1-5 and words; recorded once, before they read the manager's view."""
    from callcoach.services.reviews.lifecycle import self_assess

    container, viewer = acting_as(ctx, as_user)
    ratings, said = _pairs(rating, "--rating"), _pairs(words, "--words")
    data = {
        dim: {"rating": ratings.get(dim), "words": said.get(dim)}
        for dim in sorted(set(ratings) | set(said))
    }
    summary = self_assess(container.store, review_id, data, viewer)
    if output is OutputFormat.json:
        print_json(finite(_asdict(summary)))
        return
    say(f"Self-assessment of review {summary.id} ({escape(summary.rep)}) recorded.")


@review_app.command("rate")
def rate_command(
    ctx: typer.Context,
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    ratings: Annotated[
        list[str], typer.Argument(help="DIMENSION=1-5 (output, activity, skill, growth).")
    ],
    reason: Annotated[list[str] | None, typer.Option("--reason", help='DIMENSION="why".')] = None,
    as_user: AsOpt = None,
) -> None:
    """The manager's final ratings (the product only proposes them)."""
    from callcoach.services.reviews.lifecycle import rate

    container, viewer = acting_as(ctx, as_user)
    summary = rate(
        container.store, review_id, _pairs(ratings, "RATINGS"), _pairs(reason, "--reason"), viewer
    )
    given = ", ".join(f"{k} {v['rating']}" for k, v in summary.final_ratings.items())
    say(f"Review {summary.id}: final ratings {given}.")


@review_app.command("plan")
def plan_command(
    ctx: typer.Context,
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    assignment: Annotated[
        list[str] | None,
        typer.Option(
            "--assignment", help="A practice assignment (repeat; replaces the proposed ones)."
        ),
    ] = None,
    notes: Annotated[str | None, typer.Option("--notes", help="Notes added to the plan.")] = None,
    as_user: AsOpt = None,
) -> None:
    """Write the development plan's practice assignments and notes (the pack proposes them)."""
    from callcoach.services.reviews.lifecycle import set_plan

    container, viewer = acting_as(ctx, as_user)
    summary = set_plan(container.store, review_id, assignment, notes, viewer)
    say(f"Review {summary.id}: plan saved.")


@review_app.command("draft")
def draft_command(
    ctx: typer.Context,
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    edit: Annotated[
        Path | None,
        typer.Option(
            "--edit",
            help="Save this file as the manager's edited text (checked).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    llm: Annotated[
        bool | None,
        typer.Option(
            "--llm/--no-llm",
            help="Let the configured model phrase the text [default: CALLCOACH_REVIEW_LLM].",
            show_default=False,
        ),
    ] = None,
    as_user: AsOpt = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Write the review text (every sentence cites the pack's evidence) or save an edit; each sentence is checked and flagged when what it says is not in what it cites."""
    from callcoach.services.reviews.drafting import generate_draft, save_draft

    container, viewer = acting_as(ctx, as_user)
    if edit is not None:
        result = save_draft(container.store, review_id, edit.read_text(encoding="utf-8"), viewer)
    else:
        result = generate_draft(
            container.store, review_id, viewer, container.settings, use_model=llm
        )
    if output is OutputFormat.json:
        print_json(
            {
                "review": result.review_id,
                "version": result.version,
                "source": result.source,
                "text": result.text,
                "check": finite(_asdict(result.check)),
                "summary": result.check.summary(),
                "model": result.model,
            }
        )
        return
    console.print(result.text, highlight=False, markup=False)
    counts = result.check.summary()
    say(
        f"[bold]Check[/] (version {result.version}, {result.source}): {counts['ok']} cited and "
        f"supported, {counts['generic']} generic, {counts['flagged']} flagged."
    )
    for sentence in result.check.sentences:
        if sentence.status != "ok":
            colour = "red" if sentence.status == "flagged" else "dim"
            say(f"[{colour}]{sentence.status}[/]: {escape(sentence.text)}")
            for problem in sentence.problems:
                say(f"    - {escape(problem)}")


def _transition(
    ctx: typer.Context, review_id: int, as_user: str | None, action: str, **kwargs: Any
) -> None:
    from callcoach.services.reviews import lifecycle

    container, viewer = acting_as(ctx, as_user)
    summary = getattr(lifecycle, action)(container.store, review_id, viewer=viewer, **kwargs)
    extra = (
        f"; checkpoint {summary.checkpoint_on.isoformat()} (coaching event {summary.checkpoint_event_id})"
        if action == "hold" and summary.checkpoint_on
        else ""
    )
    say(f"Review {summary.id} ({escape(summary.rep)}) is {summary.state}{extra}.")


@review_app.command("share")
def share_command(
    ctx: typer.Context,
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    as_user: AsOpt = None,
) -> None:
    """Share the review with the rep (they read it once their self-assessment is on record)."""
    _transition(ctx, review_id, as_user, "share")


@review_app.command("hold")
def hold_command(
    ctx: typer.Context,
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    on: Annotated[
        datetime | None,
        typer.Option("--on", formats=["%Y-%m-%d"], help="The meeting day (default: today)."),
    ] = None,
    as_user: AsOpt = None,
) -> None:
    """The review meeting took place: schedules the 30-day checkpoint as a coaching event on the plan's first criterion."""
    _transition(ctx, review_id, as_user, "hold", on=on.date() if on else None)


@review_app.command("close")
def close_command(
    ctx: typer.Context,
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    as_user: AsOpt = None,
) -> None:
    """Close the review: refused, naming what is missing, until the four outputs exist."""
    _transition(ctx, review_id, as_user, "close")


@review_app.command("export")
def export_command(
    ctx: typer.Context,
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    to: Annotated[str, typer.Option("--to", help="md, html or pdf.")] = "pdf",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write (default: review-ID.<format>)."),
    ] = None,
    as_user: AsOpt = None,
) -> None:
    """Export the review (dimensions, evidence with quotes and timestamps, the plan, the checkpoint, the text) as Markdown, HTML or PDF."""
    from callcoach.services.reviews.export import export_review

    container, viewer = acting_as(ctx, as_user)
    data = export_review(container.store, review_id, to, viewer)
    path = out or Path(f"review-{review_id}.{to}")
    path.write_bytes(data)
    say(f"Wrote {path} ({len(data):,} bytes).")
