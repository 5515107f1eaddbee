"""`callcoach worker` runs queued work; `callcoach jobs` shows it and retries what failed."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from callcoach.cli.app import app, state
from callcoach.cli.output import FORMAT_OPTION, OutputFormat, console, print_json, table
from callcoach.domain.jobs import Job, JobKind, JobStatus

jobs_app = typer.Typer(
    help="Queued work (`--queue`): list jobs with their state and reasons; retry failed ones.",
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
        str,
        typer.Option(help="Queues to take work from, comma-separated: transcribe, score."),
    ] = "transcribe,score",
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
    """Run a worker: transcribe and score queued jobs (any number, on any number of machines)."""
    from callcoach.bootstrap import bootstrap, worker_app
    from callcoach.jobs.celery_app import QUEUES

    settings = state(ctx).settings()
    known = set(QUEUES.values())
    wanted = [q.strip() for q in queues.split(",") if q.strip()]
    if not wanted or set(wanted) - known:
        raise typer.BadParameter(
            f"unknown queue(s) {', '.join(sorted(set(wanted) - known)) or '(none given)'}; "
            f"queues: {', '.join(sorted(known))}",
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
        f"{', '.join(wanted)}, "
        f"broker {settings.broker_url}, database {database}",
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


def _subject(job: Job) -> str:
    if job.kind is JobKind.TRANSCRIBE:
        return str(job.payload.get("path", ""))
    return (
        f"{job.payload.get('call_id')} ({job.payload.get('rubric')}, {job.payload.get('scorer')})"
    )


def _took(job: Job) -> str:
    if job.started_at is None:
        return ""
    if job.finished_at is None:
        return "running" if job.status is JobStatus.RUNNING else ""
    return f"{(job.finished_at - job.started_at).total_seconds():.1f} s"


def _outcome(job: Job) -> str:
    if job.status is JobStatus.FAILED or (job.error and job.status is not JobStatus.DONE):
        return job.error or ""
    result = job.result or {}
    if not result:
        return ""
    if job.kind is JobKind.TRANSCRIBE:
        return f"{result.get('outcome')}: call {result.get('call_id')}"
    reason = f" ({result['reason']})" if result.get("reason") else ""
    return f"{result.get('outcome')}{reason}"


def job_dict(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind.value,
        "status": job.status.value,
        "attempts": job.attempts,
        "subject": _subject(job),
        "worker": job.worker,
        "task_id": job.task_id,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "error": job.error,
        "result": job.result,
    }


@jobs_app.callback()
def jobs_command(
    ctx: typer.Context,
    status: Annotated[
        list[JobStatus] | None,
        typer.Option(help="Only jobs in this state (repeat for several)."),
    ] = None,
    kind: Annotated[JobKind | None, typer.Option(help="Only transcribe or score jobs.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many jobs.")] = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """List queued, running, failed and done jobs, with the reason of every failure."""
    if ctx.invoked_subcommand is not None:
        return
    from callcoach.services.jobs.queue import list_jobs

    listing = list_jobs(state(ctx).container().store, status or (), kind, limit)
    if output is OutputFormat.json:
        print_json(
            {
                "counts": {s.value: n for s, n in listing.counts.items()},
                "jobs": [job_dict(job) for job in listing.jobs],
            }
        )
        return
    colour = {
        JobStatus.QUEUED: "cyan",
        JobStatus.RUNNING: "yellow",
        JobStatus.DONE: "green",
        JobStatus.FAILED: "red",
    }
    rows = [
        [
            job.id,
            job.kind.value,
            f"[{colour[job.status]}]{job.status.value}[/]",
            job.attempts,
            _subject(job),
            job.worker or "",
            _took(job),
            _outcome(job),
        ]
        for job in listing.jobs
    ]
    console.print(
        table("Jobs", ["id", "kind", "status", "tries", "what", "worker", "took", "result"], rows)
    )
    counts = listing.counts
    console.print(
        f"{counts[JobStatus.QUEUED]} queued, {counts[JobStatus.RUNNING]} running, "
        f"{counts[JobStatus.DONE]} done, {counts[JobStatus.FAILED]} failed in all. "
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
    """Queue failed jobs again with fresh attempts (or a queued job whose message was lost)."""
    from callcoach.bootstrap import job_queue
    from callcoach.services.jobs.queue import retry_job

    container = state(ctx).container()
    queue = job_queue(container)
    for job_id in job_ids:
        job = retry_job(container.store, queue, job_id)
        console.print(f"job {job.id} ({_subject(job)}) queued again as task {job.task_id}")


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
    """`callcoach score --queue`: one job per call, reported; the workers do the scoring."""
    from callcoach.bootstrap import job_queue
    from callcoach.services.jobs.queue import enqueue_selected_scoring

    container = state(ctx).container()
    report = enqueue_selected_scoring(
        container.store,
        job_queue(container),
        rubric=rubric,
        scorer=scorer,
        selection=selection,
        scorer_options=scorer_options,
        rescore=rescore,
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
