"""Throughput of queued work with 1 and 2 worker processes on the same queue, as a ratio.

    .venv/bin/python bench/workers.py [--recordings 6] [--calls 30] [--db URL]

Starts a private redis-server and, for each setting, a fresh database and N separate
`callcoach worker --concurrency 1 --threads 1` processes taking from the same queues (N = 1,
then 2), as workers on separate machines would. Separate workers rather than one worker with
two pool processes: Linux schedules each session as a group (autogroup), so on a machine busy
with other sessions one worker's pool gets one group's share however many processes it has.
Each pool process is warmed up first (the Whisper and MiniLM models load once per process),
then measured, in this run:

- transcription: `--recordings` stereo espeak-ng calls queued with `import audio --queue`'s
  service; throughput in seconds of audio transcribed per second of wall time;
- scoring: `--calls` calls of `--turns` turns (default 350: a 30-minute call) queued with `score --queue`'s service for the default
  embedded scorer; throughput in calls per second.

The ratios (2 processes / 1 process, wall time) show how the work scales with processes on one
machine, and depend on what else the machine runs (the load averages are recorded). The CPU
time the worker processes used (from /proc) gives the cost of the work itself: the per-core
figures of the sizing table in docs/deployment.md come from it.
Results: bench/results/workers.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the call builder and process helpers live with the tests

from tests.audio_helpers import stereo_call  # noqa: E402
from tests.conftest import postgres_schema_url  # noqa: E402
from tests.worker_helpers import Workers, redis_server, wait_for  # noqa: E402

from callcoach.bootstrap import Container, bootstrap, celery_queue, job_registry  # noqa: E402
from callcoach.domain.jobs import Job, JobStatus  # noqa: E402
from callcoach.ingest.audio import decode  # noqa: E402
from callcoach.services.imports.audio import AudioImportOptions  # noqa: E402
from callcoach.services.imports.transcripts import import_calls  # noqa: E402
from callcoach.services.jobs.queue import enqueue_audio, enqueue_selected_scoring  # noqa: E402
from callcoach.services.jobs.views import list_jobs  # noqa: E402
from callcoach.services.rubrics.catalog import install_templates  # noqa: E402
from callcoach.services.scoring.runs import CallSelection  # noqa: E402
from callcoach.settings import Settings  # noqa: E402
from callcoach.store.repositories.calls import now_utc  # noqa: E402

RESULTS = REPO / "bench" / "results" / "workers.json"
RUBRIC = "one-call-close"
FINISHED = (JobStatus.DONE, JobStatus.FAILED)
TYPICAL_CALL_MINUTES = 30  # the sizing table's unit: a 30-minute stereo call

REP_LINES = [
    "What prompted you to look at forecasting tools this quarter, and who else is involved?",
    "How do the regional numbers get reconciled today before the board meeting?",
    "We usually cut that work from two days to under an hour in the first month.",
    "The price is {n} dollars per seat per month, billed annually, with onboarding included.",
    "I hear the concern about the integration; what would you need to see to be confident?",
    "Could we schedule a pilot with your operations lead next Tuesday at ten?",
]
PROSPECT_LINES = [
    "Mostly the CFO asked for it after last quarter's miss.",
    "Honestly it is spreadsheets and a lot of email back and forth.",
    "That sounds good, but we tried something similar and it failed.",
    "That is more than we budgeted for this year.",
    "Our IT team will want to review the security documents first.",
    "Tuesday could work, let me check with the team.",
]


def recordings(workdir: Path, count: int) -> list[Path]:
    files = []
    for number in range(count):
        script = [
            ("rep", f"Hi, this is Dana from Acme, following up on quote {100 + number}."),
            ("prospect", PROSPECT_LINES[number % len(PROSPECT_LINES)]),
            ("rep", REP_LINES[number % len(REP_LINES)].format(n=40 + number)),
            ("prospect", PROSPECT_LINES[(number + 3) % len(PROSPECT_LINES)]),
            ("rep", REP_LINES[(number + 5) % len(REP_LINES)].format(n=40 + number)),
        ]
        files.append(stereo_call(workdir, f"rec-{number:02d}", script).path)
    return files


def conversations(path: Path, count: int, prefix: str, turns: int = 60) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for number in range(count):
            lines = []
            for turn in range(turns // 2):
                rep = REP_LINES[(number + turn) % len(REP_LINES)].format(n=30 + turn)
                lines.append({"speaker": "Dana", "text": f"{rep} ({prefix} {number}.{turn})"})
                lines.append({"speaker": "Buyer", "text": PROSPECT_LINES[(number * 7 + turn) % 6]})
            record = {"call_id": f"{prefix}-{number:03d}", "rep_speaker": "Dana", "turns": lines}
            handle.write(json.dumps(record) + "\n")
    return path


def finished(container: Container, job_ids: set[int]) -> list[Job]:
    """The jobs, once every one of them is done or failed; else an empty list."""
    jobs = [j for j in list_jobs(container.store).jobs if j.id in job_ids]
    if len(jobs) == len(job_ids) and all(j.status in FINISHED for j in jobs):
        return jobs
    return []


def worker_cpu_seconds(main_pid: int) -> float:
    """CPU time (user + system) used so far by a worker and its pool processes (Linux /proc).

    Unlike wall time, this barely depends on what else the machine is running, so it gives
    the cost of the work itself: the basis of the per-core sizing.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == main_pid or ppid == main_pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def most_at_once(jobs: list[Job]) -> int:
    """The most jobs that were running at the same moment (are the processes all busy?)."""
    events = sorted(
        [(j.started_at, 1) for j in jobs if j.started_at]
        + [(j.finished_at, -1) for j in jobs if j.finished_at]
    )
    running = peak = 0
    for _, change in events:
        running += change
        peak = max(peak, running)
    return peak


def span(jobs: list[Job], since: datetime) -> float:
    ends = [j.finished_at for j in jobs if j.finished_at]
    return (max(ends) - since).total_seconds()


def measure(
    processes: int,
    broker: str,
    db_url: str,
    workdir: Path,
    files: list[Path],
    warm_files: list[Path],
    calls: int,
    turns: int,
) -> dict[str, Any]:
    settings = Settings(db=db_url, broker_url=broker)
    container = bootstrap(settings, require_current=False)
    container.store.migrate()
    install_templates(container.store)
    queue = celery_queue(container)
    registry = job_registry(container)
    workers = Workers(db_url, broker, workdir)
    # Separate worker processes (as on separate machines), each one process with one thread.
    pids = [workers.start(concurrency=1, threads=1).pid for _ in range(processes)]

    def cpu() -> float:
        return sum(worker_cpu_seconds(pid) for pid in pids)

    try:
        # Warm-up: one transcription and one scoring per pool process (models load once).
        warm = enqueue_audio(
            container.store, queue, registry, warm_files[:processes], AudioImportOptions()
        )
        ids = {f.job_id for f in warm.files if f.job_id is not None}
        wait_for(lambda: finished(container, ids), timeout=600, what="warm-up transcriptions")
        warm_calls = conversations(workdir / "warm.jsonl", processes, "warm")
        import_calls(container.store, [warm_calls])
        scoring = enqueue_selected_scoring(
            container.store,
            queue,
            registry,
            rubric=RUBRIC,
            scorer="embedded",
            selection=CallSelection(call_ids=tuple(f"warm-{n:03d}" for n in range(processes))),
        )
        ids = {j.id for j in scoring.queued}
        wait_for(lambda: finished(container, ids), timeout=600, what="warm-up scoring")

        # Transcription. Job times are written by the workers (this machine's clock).
        since, cpu_before = now_utc(), cpu()
        report = enqueue_audio(
            container.store, queue, registry, files, AudioImportOptions(rep="Dana")
        )
        ids = {f.job_id for f in report.files if f.job_id is not None}
        assert len(ids) == len(files), report.files
        jobs = wait_for(lambda: finished(container, ids), timeout=3600, what="transcriptions")
        failed = [j.error for j in jobs if j.status is JobStatus.FAILED]
        assert not failed, failed
        transcribe_s = span(jobs, since)
        transcribe_cpu = cpu() - cpu_before
        transcribe_peak = most_at_once(jobs)

        # Scoring.
        source = conversations(workdir / "calls.jsonl", calls, "call", turns)
        import_calls(container.store, [source])
        since, cpu_before = now_utc(), cpu()
        scoring = enqueue_selected_scoring(
            container.store,
            queue,
            registry,
            rubric=RUBRIC,
            scorer="embedded",
            selection=CallSelection(call_ids=tuple(f"call-{n:03d}" for n in range(calls))),
        )
        ids = {j.id for j in scoring.queued}
        assert len(ids) == calls
        jobs = wait_for(lambda: finished(container, ids), timeout=3600, what="scoring")
        assert all(j.status is JobStatus.DONE for j in jobs), [j.error for j in jobs]
        score_s = span(jobs, since)
        score_cpu = cpu() - cpu_before
        score_peak = most_at_once(jobs)
    finally:
        workers.stop_all()
        container.close()
    return {
        "transcribe_seconds": transcribe_s,
        "score_seconds": score_s,
        "transcribe_cpu_seconds": transcribe_cpu,
        "score_cpu_seconds": score_cpu,
        "transcribe_jobs_at_once": transcribe_peak,
        "score_jobs_at_once": score_peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=6)
    parser.add_argument("--calls", type=int, default=12)
    parser.add_argument("--turns", type=int, default=350, help="turns per scored call")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="use a fresh schema on CALLCOACH_TEST_PG_URL (default: a SQLite file per setting)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # Stopped with SIGTERM: unwind, so the workers and redis-server are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    load_start = os.getloadavg()
    results: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp, redis_server(Path(tmp)) as broker:
        root = Path(tmp)
        files = recordings(root / "audio", args.recordings)
        warm = [
            stereo_call(
                root / "warm", f"warm-{n}", [("rep", f"Warm up {n}."), ("prospect", "Fine.")]
            ).path
            for n in range(2)
        ]
        audio_seconds = sum(decode(f).duration_s for f in files)
        for processes in (1, 2):
            workdir = root / f"c{processes}"
            workdir.mkdir()
            schema = postgres_schema_url() if args.postgres else None
            db_url = next(schema) if schema else f"sqlite:///{workdir / 'bench.db'}"
            try:
                results[processes] = measure(
                    processes, broker, db_url, workdir, files, warm, args.calls, args.turns
                )
            finally:
                if schema:
                    schema.close()  # drops the schema
    cores = os.cpu_count() or 1
    one, two = results[1], results[2]
    audio_rate = {n: audio_seconds / r["transcribe_seconds"] for n, r in results.items()}
    score_rate = {n: args.calls / r["score_seconds"] for n, r in results.items()}
    # Per core: the work's CPU cost, measured in the one-process setting (one thread: one core).
    audio_per_cpu_s = audio_seconds / one["transcribe_cpu_seconds"]
    cpu_s_per_call = one["score_cpu_seconds"] / args.calls
    result = {
        "command": "python " + " ".join(["bench/workers.py", *sys.argv[1:]]),
        "cores": cores,
        "load_average_at_start": [round(x, 2) for x in load_start],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "database": "postgresql" if args.postgres else "sqlite",
        "recordings": args.recordings,
        "audio_seconds": round(audio_seconds, 1),
        "calls": args.calls,
        "turns_per_call": args.turns,
        "seconds": {
            f"{n}_process": {k: round(v, 2) for k, v in r.items()} for n, r in results.items()
        },
        "transcription_audio_seconds_per_second": {
            f"{n}_process": round(v, 2) for n, v in audio_rate.items()
        },
        "scoring_calls_per_second": {f"{n}_process": round(v, 3) for n, v in score_rate.items()},
        "ratio_2_to_1_transcription": round(
            one["transcribe_seconds"] / two["transcribe_seconds"], 3
        ),
        "ratio_2_to_1_scoring": round(one["score_seconds"] / two["score_seconds"], 3),
        # CPU cost per job with 2 processes over 1: near 1.0 means a second process adds its
        # core's full worth when the machine has the core free.
        "cpu_per_job_ratio_2_to_1_transcription": round(
            two["transcribe_cpu_seconds"] / one["transcribe_cpu_seconds"], 3
        ),
        "cpu_per_job_ratio_2_to_1_scoring": round(
            two["score_cpu_seconds"] / one["score_cpu_seconds"], 3
        ),
        "sizing_per_core": {
            "transcription_audio_seconds_per_cpu_second": round(audio_per_cpu_s, 2),
            "transcription_audio_minutes_per_hour": round(audio_per_cpu_s * 60, 1),
            f"transcription_{TYPICAL_CALL_MINUTES}_min_calls_per_hour": round(
                audio_per_cpu_s * 3600 / (TYPICAL_CALL_MINUTES * 60), 1
            ),
            "scoring_cpu_seconds_per_call": round(cpu_s_per_call, 3),
            f"scoring_{args.turns}_turn_calls_per_hour": round(3600 / cpu_s_per_call),
        },
    }
    print(json.dumps(result, indent=2))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
