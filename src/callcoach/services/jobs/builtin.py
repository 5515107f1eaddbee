"""The work of the built-in job kinds: transcribe a recording, score one call, score calls.

Each function does one job from its payload and is safe to run again after a crash: a
recording is recognised by its bytes, a call's score is unique per (call, rubric version,
scorer), and a batch skips calls already done, so a resumed job continues where it stopped.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from callcoach.domain.jobs import Job
from callcoach.scoring.registry import build_scorer
from callcoach.services.common import NotFoundError
from callcoach.services.imports.audio import (
    AudioImportOptions,
    FileOutcome,
    import_recording,
    make_transcriber,
    plan_files,
)
from callcoach.services.jobs.payloads import selection_from_payload
from callcoach.services.jobs.registry import (
    JobCancelledError,
    JobContext,
    PermanentJobError,
    RetryableJobError,
)
from callcoach.services.scoring.runs import CallSelection, score_calls
from callcoach.services.scoring.workers import ScorerBuilder

# --- transcribe ----------------------------------------------------------------------------


def transcribe(ctx: JobContext) -> dict[str, Any]:
    """Transcribe and import one recording (the local `import audio` of one file)."""
    payload = ctx.payload
    path = Path(payload["path"])
    options = AudioImportOptions.from_payload(payload.get("options") or {})
    model = payload.get("model") or ctx.resources.settings.whisper_model
    ctx.progress.start(f"Transcribing {path.name}", 1)
    transcriber = make_transcriber(model, ctx.cpu_threads)
    reports, todo = plan_files(ctx.store, [path], options)
    report = reports[0]
    if todo:
        report = import_recording(ctx.store, todo[0], options, transcriber)
    if report.outcome is FileOutcome.REJECTED:
        detail = report.detail
        if detail == "no such file":
            detail = (
                f"{path}: no such file on this worker (every worker needs the recordings "
                "at the path they were queued with)"
            )
        raise PermanentJobError(detail)
    ctx.progress.advance()
    after = payload.get("score_after")
    if after and report.call_id and ctx.follow_up is not None:
        from callcoach.services.jobs.scoring import imported_calls_requests

        # On the rubric the call's team is reported on (`rubric`: the default at queue time).
        for request in imported_calls_requests(
            ctx.resources.store,
            [report.call_id],
            default_rubric=after["rubric"],
            scorer=after["scorer"],
            owner=ctx.job.owner,
        ):
            ctx.follow_up(request)
    return {
        "outcome": report.outcome.value,
        "call_id": report.call_id,
        "duration_s": report.duration_s,
        "mode": report.mode,
        "turns": report.turns,
        "seconds": round(report.seconds, 2),
        "detail": report.detail or None,
        "summary": f"{report.outcome.value}: call {report.call_id}",
    }


def transcribe_subject(job: Job) -> str:
    return str(job.payload.get("path", ""))


# --- score one call ------------------------------------------------------------------------


def score_call(ctx: JobContext, build: ScorerBuilder = build_scorer) -> dict[str, Any]:
    """Score one call with the batch runner, here; an unknown call or rubric is permanent.

    The scorer is configured from this machine's settings (`scorer_config(name)`), so
    endpoints and keys never travel through the queue. A failure the scorer stored is its
    verdict on this call (retrying repeats it); any other (a crash, a timeout) may pass on a
    second attempt.
    """
    payload = ctx.payload
    call_id = payload["call_id"]
    scorer = ctx.resources.scorer_config(payload["scorer"], **(payload.get("scorer_options") or {}))
    try:
        summary = score_calls(
            ctx.store,
            scorer,
            rubric_id=payload["rubric"],
            selection=CallSelection(call_ids=(call_id,)),
            rescore=bool(payload.get("rescore", False)),
            workers=1,
            build=build,
            progress=ctx.progress,
        )
    except NotFoundError as exc:
        raise PermanentJobError(str(exc)) from exc
    if summary.failures:
        note = summary.failures[0]
        if note.stored:
            raise PermanentJobError(f"scoring {call_id} failed: {note.reason}")
        raise RetryableJobError(f"scoring {call_id} failed: {note.reason}")
    outcome = (
        "scored"
        if summary.scored
        else "not scorable"
        if summary.not_scorable
        else "already scored"
        if summary.already_done
        else "nothing to do"
    )
    return {
        "outcome": outcome,
        "call_id": call_id,
        "rubric": summary.rubric_id,
        "rubric_version": summary.rubric_version,
        "scorer": summary.scorer,
        "reason": summary.not_scorable[0].reason if summary.not_scorable else None,
        "seconds": round(summary.seconds, 3),
        "summary": outcome,
    }


def score_call_subject(job: Job) -> str:
    p = job.payload
    return f"{p.get('call_id')} ({p.get('rubric')}, {p.get('scorer')})"


# --- score a selection of calls ------------------------------------------------------------


def score_selection(ctx: JobContext) -> dict[str, Any]:
    """Score the selected calls the owner may see (`callcoach score`, a re-score started on
    the web, the scoring after an import), in parallel, each call saved as it is scored.

    Resuming: calls scored on the rubric's latest version are skipped; with `rescore`, calls
    whose score is older than the request are done again, so a resumed re-score does only
    what the stopped attempt had not reached.
    """
    payload = ctx.payload
    requested = payload.get("requested_at")
    try:
        summary = score_calls(
            ctx.store,
            ctx.resources.scorer_config(payload["scorer"], **(payload.get("scorer_options") or {})),
            rubric_id=payload["rubric"],
            selection=selection_from_payload(payload.get("selection")),
            rescore=bool(payload.get("rescore", False)),
            rescore_before=datetime.fromisoformat(requested) if requested else None,
            workers=payload.get("workers") or (None if ctx.parallel else 1),
            default_workers=ctx.resources.settings.workers,
            progress=ctx.progress,
            viewer=ctx.viewer,
        )
    except NotFoundError as exc:
        raise PermanentJobError(str(exc)) from exc
    ctx.value = summary
    if summary.interrupted:
        raise JobCancelledError("interrupted: the calls finished so far are saved")
    if summary.stopped:
        # Every call would fail the same way (the LLM endpoint is down): another attempt later.
        raise RetryableJobError(summary.stopped)
    message = (
        f"{summary.scored} call(s) scored, {len(summary.not_scorable)} not scorable, "
        f"{len(summary.failures)} failed, {summary.already_done} already up to date "
        f"({summary.seconds:.0f} s)"
    )
    return {**summary.to_dict(), "summary": message}


def score_selection_subject(job: Job) -> str:
    p = job.payload
    selection = p.get("selection") or {}
    why = {"rescore": "re-score: ", "import": "imported calls: "}.get(p.get("origin") or "", "")
    parts = [f"{why}{p.get('rubric')}, {p.get('scorer')}"]
    if selection.get("call_ids"):
        parts.append(f"{len(selection['call_ids'])} call(s)")
    for name in ("rep", "team", "since", "until"):
        if selection.get(name):
            parts.append(f"{name} {selection[name]}")
    if p.get("rescore"):
        parts.append("re-score")
    return "; ".join(parts)
