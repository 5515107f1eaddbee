"""`callcoach worker` runs Celery jobs; `callcoach jobs` lists, cancels, retries and runs jobs.

Also the helpers other commands use to start jobs: `callcoach score` runs a score-calls job in
the foreground, and the import commands score what they imported (CALLCOACH_SCORE_AFTER_IMPORT).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from callcoach.cli.app import app, state
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
from callcoach.domain.jobs import Job, JobStatus

jobs_app = typer.Typer(
    help="Background jobs (scoring, re-scoring, transcription): list them with their progress "
    "and reasons; cancel, retry, or run queued ones here.",
    invoke_without_command=True,
)
app.add_typer(jobs_app, name="jobs")


@app.command("worker")
def worker_command(
    ctx: typer.Context,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency", "-c", help="Worker processes (default: CALLCOACH_WORKERS, the cores)."
        ),
    ] = None,
    queues: Annotated[
        str | None,
        typer.Option(
            help="Celery queues to take work from, comma-separated (default: all: transcribe, "
            "score, and those of kinds registered later)."
        ),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="CPU threads per process for transcription and embeddings "
            "(default: the cores divided by --concurrency).",
        ),
    ] = None,
    loglevel: Annotated[str, typer.Option(help="Log level: debug, info, warning.")] = "info",
) -> None:
    """Run a Celery worker: it runs queued jobs of every kind (any number, on any machines)."""
    from callcoach.bootstrap import bootstrap, worker_app
    from callcoach.services.jobs.kinds import default_registry

    settings = state(ctx).settings()
    known = default_registry().queues
    wanted = [q.strip() for q in (queues or ",".join(known)).split(",") if q.strip()]
    if not wanted or set(wanted) - set(known):
        raise typer.BadParameter(
            f"unknown queue(s) {', '.join(sorted(set(wanted) - set(known))) or '(none given)'}; "
            f"queues: {', '.join(known)}",
            param_hint="--queues",
        )
    # Fail now, not on the first task, if the database is missing or behind; and build nothing
    # that a forked worker process would inherit.
    checked = bootstrap(settings)
    database = checked.store.database.display_url
    checked.close()
    processes = max(1, concurrency or settings.workers)
    threads = threads or max(1, (os.cpu_count() or 1) // processes)
    # Each pool process loads its models after the fork and reads these: the processes share
    # the cores instead of every one running a thread per core.
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[variable] = str(threads)
    celery = worker_app(settings, cpu_threads=threads)
    console.print(
        f"callcoach worker: {processes} process(es) x {threads} thread(s) on queue(s) "
        f"{', '.join(wanted)}, broker {settings.broker_url}, database {database}",
        highlight=False,
    )
    celery.worker_main(
        [
            "worker",
            f"--concurrency={processes}",
            f"--queues={','.join(wanted)}",
            f"--loglevel={loglevel.upper()}",
            "--pool=prefork",
            f"--hostname=callcoach-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
    )


def _took(job: Job) -> str:
    if job.started_at is None:
        return ""
    if job.finished_at is None:
        return "running" if job.status is JobStatus.RUNNING else ""
    return f"{(job.finished_at - job.started_at).total_seconds():.1f} s"


def _progress(job: Job) -> str:
    p = job.progress
    if p.total:
        return f"{p.done}/{p.total}"
    return str(p.done) if p.done else ""


def _outcome(job: Job) -> str:
    if job.error and job.status is not JobStatus.DONE:
        return job.error
    result = job.result or {}
    if result.get("summary"):
        return str(result["summary"])
    return job.progress.message if job.status is JobStatus.RUNNING else ""


def job_dict(job: Job, subject: str = "") -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status.value,
        "owner": job.owner,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "subject": subject,
        "progress": {
            "done": job.progress.done,
            "total": job.progress.total,
            "message": job.progress.message,
        },
        "backend": job.backend.value,
        "queue": job.queue,
        "worker": job.worker,
        "runner": job.runner.describe() if job.runner else None,
        "heartbeat_at": job.heartbeat_at,
        "task_id": job.task_id,
        "cancel_requested": job.cancel_requested,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "error": job.error,
        "result": job.result,
    }


def _recover_here(ctx: typer.Context) -> Any:
    """Recovery of in-process jobs left by dead processes, as every queue user does first."""
    from callcoach.bootstrap import inprocess_queue

    container = state(ctx).container()
    report = inprocess_queue(container).recover()
    if report.count:
        err_console.print(
            f"Jobs left by stopped processes: {report.describe()} "
            "(`callcoach jobs run` or `callcoach serve` runs resumed jobs).",
            highlight=False,
        )
    return container


@jobs_app.callback()
def jobs_command(
    ctx: typer.Context,
    status: Annotated[
        list[JobStatus] | None,
        typer.Option(help="Only jobs in this state (repeat for several)."),
    ] = None,
    kind: Annotated[
        str | None, typer.Option(help="Only jobs of this kind (transcribe, score, score-calls).")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many jobs.")] = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """List queued, running, finished and failed jobs with their progress and reasons."""
    if ctx.invoked_subcommand is not None:
        return
    from callcoach.bootstrap import job_registry
    from callcoach.services.jobs.views import list_jobs

    container = _recover_here(ctx)
    registry = job_registry(container)
    if kind is not None and kind not in registry:
        raise fail(f"unknown job kind {kind!r}; kinds: {', '.join(registry.names)}")
    listing = list_jobs(container.store, status or (), kind, limit)
    if output is OutputFormat.json:
        print_json(
            {
                "counts": {s.value: n for s, n in listing.counts.items()},
                "jobs": [job_dict(job, registry.subject(job)) for job in listing.jobs],
            }
        )
        return
    colour = {
        JobStatus.QUEUED: "cyan",
        JobStatus.RUNNING: "yellow",
        JobStatus.DONE: "green",
        JobStatus.FAILED: "red",
        JobStatus.CANCELLED: "magenta",
    }
    rows = [
        [
            job.id,
            job.kind,
            f"[{colour[job.status]}]{job.status.value}[/]",
            job.owner or "cli",
            job.attempts,
            _progress(job),
            registry.subject(job),
            job.worker or "",
            _took(job),
            _outcome(job),
        ]
        for job in listing.jobs
    ]
    headers = ["id", "kind", "status", "owner", "tries", "done", "what", "worker", "took"]
    console.print(table("Jobs", [*headers, "result"], rows))
    counts = listing.counts
    console.print(
        ", ".join(f"{counts[s]} {s.value}" for s in JobStatus)
        + " in all. "
        + (
            "Failed jobs keep their reason; fix it, then `callcoach jobs retry ID`."
            if counts[JobStatus.FAILED]
            else ""
        ),
        highlight=False,
    )


@jobs_app.command("retry")
def retry_command(
    ctx: typer.Context,
    job_ids: Annotated[list[int], typer.Argument(metavar="ID...", help="Job ids to retry.")],
) -> None:
    """Queue failed or cancelled jobs again with fresh attempts, on the queue that ran them."""
    from callcoach.bootstrap import queue_for_backend
    from callcoach.services.common import ServiceError
    from callcoach.services.jobs.views import retry_job

    container = _recover_here(ctx)
    for job_id in job_ids:
        try:
            job = retry_job(container.store, queue_for_backend(container), job_id)
        except ServiceError as exc:
            raise fail(str(exc)) from exc
        where = f"as task {job.task_id}" if job.task_id else "(`callcoach jobs run` runs it here)"
        console.print(f"job {job.id} ({job.kind}) queued again {where}", highlight=False)


@jobs_app.command("cancel")
def cancel_command(
    ctx: typer.Context,
    job_ids: Annotated[list[int], typer.Argument(metavar="ID...", help="Job ids to cancel.")],
) -> None:
    """Cancel jobs: a queued job at once, a running one at its next progress report (what it
    finished is kept)."""
    from callcoach.services.common import ServiceError
    from callcoach.services.jobs.views import cancel_job

    container = _recover_here(ctx)
    for job_id in job_ids:
        try:
            job = cancel_job(container.store, job_id)
        except ServiceError as exc:
            raise fail(str(exc)) from exc
        state_now = "cancelled" if job.status is JobStatus.CANCELLED else "asked to stop"
        console.print(f"job {job.id} ({job.kind}) {state_now}", highlight=False)


@jobs_app.command("run")
def run_command(ctx: typer.Context) -> None:
    """Run queued in-process jobs here, with progress, until none is left (those left by a
    stopped server or command, and retries); `callcoach serve` does this in the background."""
    from callcoach.bootstrap import inprocess_queue

    container = _recover_here(ctx)
    queue = inprocess_queue(container)
    with RichProgress() as progress:
        outcomes = queue.drain(lambda job: progress)
    for outcome in outcomes:
        console.print(
            f"job {outcome.job_id}: {outcome.status.value}"
            + (f" ({outcome.error})" if outcome.error else ""),
            highlight=False,
        )
    if not outcomes:
        console.print("No queued in-process jobs.")
    if any(o.status is JobStatus.FAILED for o in outcomes):
        raise typer.Exit(1)


def run_in_foreground(ctx: typer.Context, request: Any) -> Any:
    """Run a job in this process with a Rich progress bar (the CLI is the worker); returns
    its outcome. A job with the same key left by a killed command is continued."""
    from callcoach.bootstrap import inprocess_queue

    queue = inprocess_queue(state(ctx).container())
    with RichProgress() as progress:
        return queue.run_here(request, echo=progress)


def score_in_foreground(ctx: typer.Context, **request_args: Any) -> Any:
    """`callcoach score`: a score-calls job run here; returns its ScoringSummary."""
    from callcoach.services.common import ServiceError
    from callcoach.services.jobs.scoring import check_scoring, scoring_request

    container = state(ctx).container()
    try:
        check_scoring(container.store, request_args["rubric"], request_args.get("selection"))
    except ServiceError as exc:
        raise fail(str(exc)) from exc
    outcome = run_in_foreground(ctx, scoring_request(**request_args))
    if outcome.value is None:
        if not outcome.ran:
            raise fail(f"job {outcome.job_id} is {outcome.error}; `callcoach jobs` shows it")
        raise fail(f"job {outcome.job_id} {outcome.status.value}: {outcome.error}")
    return outcome.value


def score_imported(ctx: typer.Context, call_ids: Sequence[str], enabled: bool | None) -> None:
    """Score calls just imported (on by default: CALLCOACH_SCORE_AFTER_IMPORT, `--no-score`),
    each on its team's rubric (one job per rubric): in the foreground with the in-process
    queue, queued with Celery. Notes go to stderr, so `--report json` stays one document."""
    from callcoach.services.common import ServiceError
    from callcoach.services.jobs.scoring import imported_calls_requests

    container = state(ctx).container()
    settings = container.settings
    if not (settings.score_after_import if enabled is None else enabled):
        return
    requests = imported_calls_requests(
        container.store,
        call_ids,
        default_rubric=settings.default_rubric,
        scorer=settings.scorer,
        owner=None,
    )
    for request in requests:
        rubric = str(request.payload.get("rubric"))
        count = len(request.payload.get("selection", {}).get("call_ids") or ())
        if settings.job_queue == "celery":
            from callcoach.bootstrap import celery_queue, job_registry
            from callcoach.services.jobs.queue import submit_job

            try:
                queue = celery_queue(container)
                queue.check()
                job, _ = submit_job(
                    container.store,
                    queue,
                    job_registry(container),
                    request,
                    default_attempts=settings.job_max_attempts,
                )
            except ServiceError as exc:
                err_console.print(f"[yellow]Imported calls not queued for scoring:[/] {exc}")
                return
            err_console.print(
                f"{count} imported call(s) queued for scoring on {rubric} as job {job.id} "
                "(`callcoach jobs` shows its progress).",
                highlight=False,
            )
            continue
        outcome = run_in_foreground(ctx, request)
        summary = (outcome.result or {}).get("summary") or outcome.error
        err_console.print(
            f"Scoring of the imported calls (job {outcome.job_id}, {rubric}, "
            f"{settings.scorer} scorer): {outcome.status.value}"
            + (f", {summary}" if summary else "")
            + ".",
            highlight=False,
        )


def queue_scoring(
    ctx: typer.Context,
    *,
    rubric: str,
    scorer: str,
    selection: Any,
    scorer_options: dict[str, Any],
    rescore: bool,
    output: OutputFormat,
) -> None:
    """`callcoach score --queue`: one Celery job per call, reported; the workers score them."""
    from callcoach.bootstrap import celery_queue, job_registry
    from callcoach.services.jobs.queue import enqueue_selected_scoring

    container = state(ctx).container()
    report = enqueue_selected_scoring(
        container.store,
        celery_queue(container),
        job_registry(container),
        rubric=rubric,
        scorer=scorer,
        selection=selection,
        scorer_options=scorer_options,
        rescore=rescore,
        default_attempts=container.settings.job_max_attempts,
    )
    if output is OutputFormat.json:
        print_json(
            {
                "rubric": report.rubric,
                "rubric_version": report.rubric_version,
                "scorer": scorer,
                "selected": report.selected,
                "already_scored": report.already_scored,
                "queued": [
                    {"job_id": j.id, "call_id": j.payload["call_id"]} for j in report.queued
                ],
                "already_queued": [
                    {"job_id": j.id, "call_id": j.payload["call_id"], "status": j.status.value}
                    for j in report.already
                ],
            }
        )
        return
    console.print(
        f"{len(report.queued)} call(s) queued for scoring on {report.rubric} "
        f"v{report.rubric_version} with the {scorer} scorer, of {report.selected} selected; "
        f"{report.already_scored} already scored on this version (--rescore to redo), "
        f"{len(report.already)} already waiting or running. "
        "Workers (`callcoach worker`) score them; `callcoach jobs` shows progress.",
        highlight=False,
    )
