"""Throughput of queued work with 1 and 2 worker processes on the same queue, as a ratio.

    .venv/bin/python bench/workers.py [--recordings 6] [--calls 30] [--db URL]

Starts a private redis-server and, for each setting, a fresh database and one
`callcoach worker --concurrency N` (N = 1, then 2 pool processes taking from the same queues).
Each pool process is warmed up first (the Whisper and MiniLM models load once per process),
then measured, in this run:

- transcription: `--recordings` stereo espeak-ng calls queued with `import audio --queue`'s
  service; throughput in seconds of audio transcribed per second of wall time;
- scoring: `--calls` calls of 60 turns queued with `score --queue`'s service for the default
  embedded scorer; throughput in calls per second.

The ratios (2 processes / 1 process) show how the work scales with processes on one machine;
the calls-per-hour-per-core figures feed the sizing table of docs/deployment.md.
Results: bench/results/workers.json.
"""

from __future__ import annotations

import argparse
import json
import os
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

from callcoach.bootstrap import Container, bootstrap, job_queue  # noqa: E402
from callcoach.domain.jobs import Job, JobKind, JobStatus  # noqa: E402
from callcoach.ingest.audio import decode  # noqa: E402
from callcoach.services.audio import AudioImportOptions  # noqa: E402
from callcoach.services.imports import import_calls  # noqa: E402
from callcoach.services.jobs import enqueue_audio, enqueue_selected_scoring, list_jobs  # noqa: E402
from callcoach.services.rubrics import install_templates  # noqa: E402
from callcoach.settings import Settings  # noqa: E402
from callcoach.store.repositories.calls import now_utc  # noqa: E402

RESULTS = REPO / "bench" / "results" / "workers.json"
RUBRIC = "one-call-close"
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


def finished(container: Container, kind: JobKind, count: int) -> list[Job]:
    jobs = list_jobs(container.store, kind=kind).jobs
    done = [j for j in jobs if j.status in (JobStatus.DONE, JobStatus.FAILED)]
    return jobs if len(done) == count and len(jobs) == count else []


def span(jobs: list[Job], since: datetime) -> float:
    ends = [j.finished_at for j in jobs if j.finished_at]
    return (max(ends) - since).total_seconds()


def measure(
    concurrency: int,
    broker: str,
    db_url: str,
    workdir: Path,
    files: list[Path],
    warm_files: list[Path],
    calls: int,
) -> dict[str, Any]:
    settings = Settings(db=db_url, broker_url=broker)
    container = bootstrap(settings, require_current=False)
    container.store.migrate()
    install_templates(container.store)
    queue = job_queue(container)
    workers = Workers(db_url, broker, workdir)
    workers.start(concurrency=concurrency)
    try:
        # Warm-up: one transcription and one scoring per pool process (models load once).
        enqueue_audio(container.store, queue, warm_files[:concurrency], AudioImportOptions())
        wait_for(
            lambda: finished(container, JobKind.TRANSCRIBE, concurrency),
            timeout=600,
            what="warm-up transcriptions",
        )
        import_calls(container.store, [conversations(workdir / "warm.jsonl", concurrency, "warm")])
        enqueue_selected_scoring(container.store, queue, rubric=RUBRIC, scorer="embedded")
        wait_for(
            lambda: finished(container, JobKind.SCORE, concurrency),
            timeout=600,
            what="warm-up scoring",
        )

        # Transcription. Job times come from the database (the workers' clocks: this machine).
        since = now_utc()
        enqueue_audio(container.store, queue, files, AudioImportOptions(rep="Dana"))
        total = concurrency + len(files)
        jobs = wait_for(
            lambda: finished(container, JobKind.TRANSCRIBE, total),
            timeout=3600,
            what="transcriptions",
        )
        measured = [j for j in jobs if j.payload["path"] in {str(f.resolve()) for f in files}]
        failed = [j.error for j in measured if j.status is JobStatus.FAILED]
        assert not failed, failed
        transcribe_s = span(measured, since)

        # Scoring.
        import_calls(container.store, [conversations(workdir / "calls.jsonl", calls, "call")])
        since = now_utc()
        report = enqueue_selected_scoring(container.store, queue, rubric=RUBRIC, scorer="embedded")
        assert len(report.queued) == calls
        jobs = wait_for(
            lambda: finished(container, JobKind.SCORE, concurrency + calls),
            timeout=3600,
            what="scoring",
        )
        measured = [j for j in jobs if str(j.payload["call_id"]).startswith("call-")]
        assert all(j.status is JobStatus.DONE for j in measured), [j.error for j in measured]
        score_s = span(measured, since)
    finally:
        workers.stop_all()
        container.close()
    return {"transcribe_seconds": transcribe_s, "score_seconds": score_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=6)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="use a fresh schema on CALLCOACH_TEST_PG_URL (default: a SQLite file per setting)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
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
        for concurrency in (1, 2):
            workdir = root / f"c{concurrency}"
            workdir.mkdir()
            schema = postgres_schema_url() if args.postgres else None
            db_url = next(schema) if schema else f"sqlite:///{workdir / 'bench.db'}"
            try:
                results[concurrency] = measure(
                    concurrency, broker, db_url, workdir, files, warm, args.calls
                )
            finally:
                if schema:
                    schema.close()  # drops the schema
    cores = os.cpu_count() or 1
    one, two = results[1], results[2]
    audio_rate = {n: audio_seconds / r["transcribe_seconds"] for n, r in results.items()}
    score_rate = {n: args.calls / r["score_seconds"] for n, r in results.items()}
    best_audio = max(audio_rate.values())
    best_score = max(score_rate.values())
    result = {
        "command": "python " + " ".join(["bench/workers.py", *sys.argv[1:]]),
        "cores": cores,
        "load_average_at_start": [round(x, 2) for x in load_start],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "database": "postgresql" if args.postgres else "sqlite",
        "recordings": args.recordings,
        "audio_seconds": round(audio_seconds, 1),
        "calls": args.calls,
        "turns_per_call": 60,
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
        "sizing_per_core": {
            "transcription_audio_minutes_per_hour": round(best_audio * 60 / cores, 1),
            f"transcription_{TYPICAL_CALL_MINUTES}_min_calls_per_hour": round(
                best_audio * 3600 / (TYPICAL_CALL_MINUTES * 60) / cores, 1
            ),
            "scoring_60_turn_calls_per_hour": round(best_score * 3600 / cores),
        },
    }
    print(json.dumps(result, indent=2))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
