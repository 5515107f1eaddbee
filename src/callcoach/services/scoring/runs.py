"""Scoring calls in bulk: every unscored call, in parallel, committed one call at a time.

CPU scorers (embedded, fake) run in worker processes that each build the scorer once; network
scorers (llm) run in threads up to their concurrency limit. Either way the parent reads the calls
and their stored embeddings and writes every result in its own transaction, so an interrupted
run loses at most the calls in flight and the next run resumes where it stopped. The store's
unique (call, rubric version, scorer) key means a call is never scored twice: re-scoring replaces.
"""

from __future__ import annotations

import difflib
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as clock

from callcoach.domain.access import SYSTEM, Scope, Viewer
from callcoach.domain.calls import Call
from callcoach.domain.scores import CallScore, ScoreStatus
from callcoach.scoring.base import RubricGuidance, Scorer, ScoringRequest, unscorable_reason
from callcoach.scoring.evidence import keep_valid_evidence
from callcoach.scoring.registry import ScorerConfig, build_scorer
from callcoach.services.common import NoProgress, NotFoundError, Progress, ServiceError
from callcoach.services.scoring.stopping import (
    DaemonThreadPool,
    Terminated,
    sigterm_stops_run,
    stop_worker_processes,
)
from callcoach.services.scoring.summary import CallNote, ScoringSummary
from callcoach.services.scoring.teaching import load_guidance
from callcoach.services.scoring.workers import (
    ScorerBuilder,
    StoreResponseCache,
    WorkItem,
    WorkResult,
    init_worker,
    score_in_worker,
    score_one,
)
from callcoach.store.repositories.calls import CallFilter
from callcoach.store.repositories.rubrics import StoredRubric
from callcoach.store.repositories.scores import StaleTranscriptError
from callcoach.store.repositories.scoring_queue import QueuedCall
from callcoach.store.uow import Store, UnitOfWork

__all__ = ["CallSelection", "ScoringSummary", "score_calls"]

IN_FLIGHT_PER_WORKER = 2  # enough to keep workers busy without holding every call in memory


@dataclass(frozen=True)
class CallSelection:
    """Which calls to score. `until` given as a date includes that whole day."""

    since: date | datetime | None = None
    until: date | datetime | None = None
    rep: str | None = None
    team: str | None = None
    call_ids: tuple[str, ...] = ()


def _start_of(day: date | datetime) -> datetime:
    if isinstance(day, datetime):
        return day.replace(tzinfo=None)
    return datetime.combine(day, clock.min)


def _end_of(day: date | datetime) -> datetime:
    if isinstance(day, datetime):
        return day.replace(tzinfo=None)
    return datetime.combine(day + timedelta(days=1), clock.min)


def _suggest(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


# A scoring run scores the calls a person selected (within their scope); the run itself then
# reads each selected call whoever owns it.
SCORING_RUN = Scope.system("scoring run: the calls already selected within a scope")


def call_filter(uow: UnitOfWork, selection: CallSelection, access: Scope) -> CallFilter:
    """The store filter for a selection, after checking every name in it exists and is visible
    (a rep, team or call outside the scope is reported like an unknown one)."""
    if selection.rep and uow.people.rep(selection.rep, scope=access) is None:
        known = uow.people.rep_names(scope=access)
        raise NotFoundError(f"no rep named {selection.rep!r}" + _suggest(selection.rep, known))
    teams = [t.name for t in uow.people.teams(scope=access)]
    if selection.team and selection.team not in teams:
        raise NotFoundError(f"no team named {selection.team!r}" + _suggest(selection.team, teams))
    filters = CallFilter(
        rep=selection.rep,
        team=selection.team,
        since=_start_of(selection.since) if selection.since else None,
        until=_end_of(selection.until) if selection.until else None,
        external_ids=tuple(selection.call_ids),
    )
    if selection.call_ids:
        asked = CallFilter(external_ids=filters.external_ids)
        found = set(uow.calls.external_ids(asked, scope=access))
        unknown = [c for c in selection.call_ids if c not in found]
        if unknown:
            raise NotFoundError(f"unknown call id(s): {', '.join(unknown)}")
    return filters


def _load_guidance(store: Store, rubric_id: str) -> RubricGuidance:
    """What managers taught for this rubric (confirmed/rejected evidence, calibration).

    Loaded once per run and sent with every call: the embedded scorer uses all of it, the LLM
    scorer's candidate picker uses the taught turns.
    """
    return load_guidance(store, rubric_id)


def _resolve_rubric(store: Store, rubric_id: str) -> StoredRubric:
    with store.unit_of_work() as uow:
        stored = uow.rubrics.latest(rubric_id)
        if stored is None:
            known = [s.rubric.id for s, _ in uow.rubrics.list()]
            raise NotFoundError(
                f"no rubric {rubric_id!r}"
                + (f"; rubrics: {', '.join(known)}" if known else "; run `callcoach init`")
            )
        return stored


class _Run:
    """One scoring run: loads calls, hands them to the executor, writes what comes back."""

    def __init__(
        self,
        store: Store,
        stored: StoredRubric,
        scorer: Scorer,
        summary: ScoringSummary,
        guidance: RubricGuidance | None,
        progress: Progress,
    ) -> None:
        self.store = store
        self.stored = stored
        self.scorer = scorer
        self.summary = summary
        self.guidance = guidance
        self.progress = progress
        self.model = scorer.embedding_model
        self.calls: dict[int, Call] = {}  # calls in flight, to check evidence before storing
        self.ship_guidance = False  # True when worker processes were given the guidance
        self.embedded_now: set[str] = set()  # calls embedded (and counted) before the run

    def items(self, queued: list[QueuedCall]) -> Iterator[WorkItem]:
        """Work for each queued call; calls that cannot be scored are stored here directly."""
        for entry in queued:
            with self.store.unit_of_work() as uow:
                call = uow.calls.get(entry.external_id, scope=SCORING_RUN)
                if call is None:  # deleted since the run started
                    self.progress.advance()
                    continue
                reason = unscorable_reason(call)
                embeddings = None
                if reason is None and self.model is not None:
                    embeddings = uow.embeddings.load(entry.call_pk, self.model, call.content_hash)
            if reason is not None:
                self.save_not_scorable(entry.call_pk, call, reason)
                continue
            if embeddings is not None and call.external_id not in self.embedded_now:
                self.summary.embeddings_reused += 1
            self.calls[entry.call_pk] = call
            request = ScoringRequest(
                call=call,
                rubric=self.stored.rubric,
                rubric_version=self.stored.version,
                embeddings=embeddings,
                guidance=self.guidance,
            )
            yield WorkItem(entry.call_pk, request, embed=self.model is not None)

    def save_not_scorable(self, call_pk: int, call: Call, reason: str) -> None:
        score = CallScore(
            call_id=call.external_id,
            rubric_id=self.stored.rubric.id,
            rubric_version=self.stored.version,
            scorer=self.scorer.name,
            scorer_version=self.scorer.version,
            status=ScoreStatus.NOT_SCORABLE,
            reason=reason,
        )
        try:
            with self.store.unit_of_work() as uow:
                uow.scores.save(score, call_pk, self.stored.version_pk, call.content_hash)
        except StaleTranscriptError as exc:
            self.summary.failures.append(CallNote(call.external_id, str(exc)))
        else:
            self.summary.not_scorable.append(CallNote(call.external_id, reason, stored=True))
        self.progress.advance()

    def record(self, result: WorkResult) -> None:
        """Write one call's result in its own transaction (the unit a resumed run builds on)."""
        call = self.calls.pop(result.call_pk, None)
        self.summary.worker_pids.add(result.pid)
        self.summary.add_counters(result.stats)
        score = result.score
        if result.error is not None or score is None or call is None:
            reason = result.error or "the scorer returned nothing"
            self.summary.failures.append(CallNote(result.call_id, reason))
            if result.stops_run and self.summary.stopped is None:
                self.summary.stopped = reason
            self.progress.advance()
            return
        self.summary.evidence_dropped += keep_valid_evidence(call, score)
        if score.status is ScoreStatus.SCORED:
            rubric = self.stored.rubric
            score.overall = rubric.weighted_overall(
                {c.criterion_id: c.level for c in score.criteria}
            )
        try:
            with self.store.unit_of_work() as uow:
                # The score first: it locks the call's row, so a concurrent run saving the same
                # call waits for this one instead of colliding on the unique keys.
                uow.scores.save(score, result.call_pk, self.stored.version_pk, call.content_hash)
                if result.new_embeddings is not None and self.model is not None:
                    uow.embeddings.save(
                        result.call_pk, self.model, call.content_hash, result.new_embeddings
                    )
        except StaleTranscriptError as exc:
            self.summary.failures.append(
                CallNote(result.call_id, f"could not save the score: {exc}")
            )
            self.progress.advance()
            return
        except Exception as exc:
            # e.g. the call was deleted meanwhile, or another run saved it first: this call
            # fails, the run goes on (nothing half-written: the transaction rolled back).
            self.summary.failures.append(
                CallNote(result.call_id, f"could not save the score: {type(exc).__name__}: {exc}")
            )
            self.progress.advance()
            return
        if result.new_embeddings is not None:
            self.summary.embeddings_computed += 1
        if score.status is ScoreStatus.SCORED:
            self.summary.scored += 1
        elif score.status is ScoreStatus.NOT_SCORABLE:
            self.summary.not_scorable.append(
                CallNote(result.call_id, score.reason or "not scorable", stored=True)
            )
        else:
            self.summary.failures.append(
                CallNote(result.call_id, score.reason or "the scorer failed", stored=True)
            )
        self.progress.advance()

    def crashed(self, call_pk: int, call_id: str, reason: str) -> None:
        self.calls.pop(call_pk, None)
        self.summary.failures.append(CallNote(call_id, reason))
        self.progress.advance()

    def run_in_process(self, queued: list[QueuedCall]) -> None:
        for item in self.items(queued):
            self.record(score_one(self.scorer, item))
            if self.summary.stopped:
                return

    def run_on(
        self, executor: Executor, work: Callable[[WorkItem], WorkResult], queued: list[QueuedCall]
    ) -> None:
        limit = max(1, self.summary.workers * IN_FLIGHT_PER_WORKER)
        in_flight: dict[Future[WorkResult], tuple[int, str]] = {}

        def died() -> None:
            self.summary.stopped = (
                "a scoring process died unexpectedly (out of memory or killed); "
                "run the command again to continue"
            )

        def collect(block_until_below: int) -> None:
            while len(in_flight) >= block_until_below and in_flight:
                done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
                for future in done:
                    call_pk, call_id = in_flight.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        died()
                        self.crashed(call_pk, call_id, "the scoring process died while scoring it")
                        continue
                    self.record(result)

        for item in self.items(queued):
            if self.ship_guidance and item.request.guidance is self.guidance:
                # The workers hold the run's guidance: do not pickle it with every call.
                item = replace(item, request=replace(item.request, guidance=None))
                item.run_guidance = True
            try:
                future = executor.submit(work, item)
            except BrokenProcessPool:
                died()
                self.calls.pop(item.call_pk, None)  # never started: left for the next run
                break
            in_flight[future] = (item.call_pk, item.request.call.external_id)
            collect(limit)
            if self.summary.stopped:
                break
        collect(1)


def _executor(
    scorer: Scorer,
    config: ScorerConfig,
    build: ScorerBuilder,
    workers: int,
    guidance: RubricGuidance | None = None,
) -> tuple[Executor, Callable[[WorkItem], WorkResult], str]:
    if getattr(scorer, "io_bound", False):
        pool = DaemonThreadPool(workers, "callcoach-score")
        return pool, lambda item: score_one(scorer, item), "threads"
    threads = max(1, (os.cpu_count() or 1) // workers)
    export = getattr(scorer, "export_prepared", None)
    prepared = export() if callable(export) else None
    # spawn, not fork: workers start clean (no inherited database connections or model threads).
    process_pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
        initargs=(config, build, threads, guidance, prepared),
    )
    return process_pool, score_in_worker, "processes"


def _prepare(
    store: Store,
    scorer: Scorer,
    stored: StoredRubric,
    guidance: RubricGuidance | None,
    summary: ScoringSummary,
) -> set[str]:
    """Let the scorer do once, here, what every call of the run needs (fit what people taught).

    The turns people labelled come from calls whose embeddings are usually stored: those are
    handed to the scorer first; calls not embedded yet are embedded and stored now (they would
    be anyway), so the teaching costs no extra encoding, now or on later runs.
    """
    prepare = getattr(scorer, "prepare", None)
    embedded: set[str] = set()
    if not callable(prepare) or guidance is None or not guidance.examples:
        return embedded
    remember = getattr(scorer, "remember_embeddings", None)
    model = scorer.embedding_model
    if callable(remember) and model is not None:
        call_ids = sorted({e.call_id for e in guidance.examples if e.call_id})
        with store.unit_of_work() as uow:
            calls = uow.calls.get_many(call_ids, scope=SCORING_RUN)
        for call in calls:
            with store.unit_of_work() as uow:
                pk = uow.scoring_queue.call_pk(call.external_id)
                if pk is None:
                    continue
                matrix = uow.embeddings.load(pk, model, call.content_hash)
                if matrix is None:
                    matrix = scorer.embed(call)
                    if matrix is None:
                        continue
                    uow.embeddings.save(pk, model, call.content_hash, matrix)
                    summary.embeddings_computed += 1
                    embedded.add(call.external_id)
            remember(call, matrix)
    prepare(stored.rubric, guidance)
    return embedded


def score_calls(
    store: Store,
    scorer_config: ScorerConfig,
    *,
    rubric_id: str,
    selection: CallSelection | None = None,
    rescore: bool = False,
    rescore_before: datetime | None = None,
    workers: int | None = None,
    default_workers: int | None = None,
    progress: Progress | None = None,
    viewer: Viewer = SYSTEM,
    build: ScorerBuilder = build_scorer,
) -> ScoringSummary:
    """Score the selected calls against the latest version of `rubric_id`.

    By default only calls this scorer has not scored on that version (or failed on) are done;
    `rescore` does every selected call again, replacing the earlier scores (with
    `rescore_before`, only those stored before then: a resumed re-score skips what it already
    did). `workers` is the
    number of processes (CPU scorers) or concurrent calls (network scorers); None uses the
    scorer's own concurrency, or `default_workers` (the machine's cores).
    `build` must be a picklable module-level function when worker processes are used.
    """
    started = time.perf_counter()
    progress = progress or NoProgress()
    stored = _resolve_rubric(store, rubric_id)
    try:
        scorer = build(scorer_config)
    except (KeyError, ValueError) as exc:
        raise ServiceError(str(exc.args[0]) if exc.args else str(exc)) from exc
    summary = ScoringSummary(
        rubric_id=stored.rubric.id,
        rubric_version=stored.version,
        scorer=scorer.name,
        scorer_version=scorer.version,
    )
    with store.unit_of_work() as uow:
        access = uow.people.scope_for(viewer)
        filters = call_filter(uow, selection or CallSelection(), access)
        selected = uow.calls.external_ids(filters, scope=access)
        queued = uow.scoring_queue.queue(selected, stored.version_pk, scorer.name)
    summary.selected = len(queued)
    todo = [
        q
        for q in queued
        if q.stored_status is None
        or q.stored_status == ScoreStatus.FAILED.value
        or (
            rescore
            and (rescore_before is None or q.stored_at is None or q.stored_at < rescore_before)
        )
    ]
    summary.already_done = len(queued) - len(todo)
    if hasattr(scorer, "use_cache"):
        scorer.use_cache(StoreResponseCache(store))
    io_bound = bool(getattr(scorer, "io_bound", False))
    if workers is None:
        workers = (
            int(getattr(scorer, "concurrency", 1))
            if io_bound
            else (default_workers or os.cpu_count() or 1)
        )
    summary.workers = max(1, min(workers, len(todo) or 1))
    guidance = _load_guidance(store, stored.rubric.id)
    run = _Run(store, stored, scorer, summary, guidance, progress)
    if todo:
        run.embedded_now = _prepare(store, scorer, stored, guidance, summary)
    progress.start(
        f"Scoring {len(todo)} call(s): {stored.rubric.id} v{stored.version}, {scorer.name}",
        len(todo),
    )
    executor: Executor | None = None
    try:
        with sigterm_stops_run():
            if todo and (io_bound or summary.workers > 1):
                executor, work, summary.mode = _executor(
                    scorer, scorer_config, build, summary.workers, guidance
                )
                run.ship_guidance = summary.mode == "processes"
                run.run_on(executor, work, todo)
            else:
                summary.mode = "in-process"
                run.run_in_process(todo)
    except KeyboardInterrupt as exc:
        summary.interrupted = True
        how = "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted"
        summary.stopped = f"{how}: the calls finished so far are saved"
    finally:
        close = getattr(scorer, "close", None)
        if summary.interrupted and callable(close):
            close()  # cut off requests in flight rather than wait for them
        if executor is not None and summary.interrupted:
            stop_worker_processes(executor)  # each holds a model: none is left running
        if executor is not None:
            # After Ctrl-C, calls not yet started are dropped; what finished is already saved.
            executor.shutdown(wait=not summary.interrupted, cancel_futures=True)
        if not summary.interrupted and callable(close):
            close()
        summary.seconds = time.perf_counter() - started
    return summary
