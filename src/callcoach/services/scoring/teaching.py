"""Teaching the scorer: managers confirm or reject evidence, and calibrate levels on their ratings.

- `record_feedback` stores a manager's verdict on one evidence segment for one criterion.
- `load_guidance` gathers what people taught for a rubric (confirmed/rejected turns with the turn
  before them as context, rated segments, the fitted calibration) for the scorers.
- `calibrate` fits the embedded scorer's evidence-to-level mapping on managers' ratings and
  reports held-out agreement before and after.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from callcoach.domain.access import SYSTEM, Scope, Viewer
from callcoach.domain.calls import Call
from callcoach.domain.scores import EvidenceFeedback, FeedbackVerdict, HumanRating
from callcoach.scoring.base import LabelledTurn, RubricGuidance
from callcoach.scoring.calibration import (
    MIN_RATINGS,
    RatedEvidence,
    call_folds,
    fit_mapping,
    held_out_report,
)
from callcoach.scoring.embedded_features import (
    next_other_turns,
    previous_other_turns,
    relative_positions,
)
from callcoach.services.common import NoProgress, NotFoundError, Progress, ServiceError
from callcoach.store.repositories.rubrics import StoredRubric
from callcoach.store.uow import Store, UnitOfWork

SCORER = "embedded"


def _rubric(uow: UnitOfWork, rubric_id: str) -> StoredRubric:
    stored = uow.rubrics.latest(rubric_id)
    if stored is None:
        known = ", ".join(s.rubric.id for s, _ in uow.rubrics.list()) or "none yet"
        raise NotFoundError(f"no rubric {rubric_id!r}; rubrics: {known}")
    return stored


# Per segment: the other party's turn before, position, the other party's turn after.
Layout = tuple[list[int | None], list[float], list[int | None]]


def _layout(call: Call) -> Layout:
    return (
        previous_other_turns(call),
        relative_positions(call, list(range(len(call.segments)))).tolist(),
        next_other_turns(call),
    )


def _labelled(
    call: Call,
    layout: Layout,
    criterion_id: str,
    segment: int,
    positive: bool,
    source: str,
    level: float | None = None,
) -> LabelledTurn | None:
    if segment < 0 or segment >= len(call.segments):
        return None
    previous, positions, following = layout
    before, after = previous[segment], following[segment]
    return LabelledTurn(
        criterion_id=criterion_id,
        text=call.segments[segment].text,
        context=call.segments[before].text if before is not None else "",
        positive=positive,
        source=source,
        call_id=call.external_id,
        segment=segment,
        level=level,
        position=positions[segment],
        reply=call.segments[after].text if after is not None else "",
    )


def _rated_moments(
    calls: dict[str, Call],
    layouts: dict[str, Layout],
    ratings: list[HumanRating],
    skip: set[tuple[str, str, int]],
) -> list[LabelledTurn]:
    """Rated segments as moments of their criterion at the level people gave (raters averaged),
    and the other rep turns of those calls as background (weak negatives)."""
    levels: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for r in ratings:
        if r.evidence_segment is not None and r.call_id in calls:
            levels[(r.call_id, r.criterion_id, r.evidence_segment)].append(r.level)
    moments: dict[tuple[str, str], set[int]] = defaultdict(set)
    for call_id, criterion_id, segment in levels:
        moments[(call_id, criterion_id)].add(segment)
    result: list[LabelledTurn] = []
    for (call_id, criterion_id), segments in sorted(moments.items()):
        call, layout = calls[call_id], layouts[call_id]
        for seg in call.rep_segments:
            if seg.index in segments or (call_id, criterion_id, seg.index) in skip:
                continue
            turn = _labelled(call, layout, criterion_id, seg.index, False, "background")
            if turn is not None:
                result.append(turn)
        for segment in sorted(segments):
            key = (call_id, criterion_id, segment)
            if key in skip:
                continue
            mean = sum(levels[key]) / len(levels[key])
            turn = _labelled(call, layout, criterion_id, segment, True, "rating", mean)
            if turn is not None:
                result.append(turn)
    return result


# What managers teach the scorer teaches it for the whole organisation: the teaching reads every
# verdict and rating whoever gave them (system work, never shown to a viewer row by row).
_TEACHING = Scope.system("scorer teaching: every verdict and rating teaches the scorer")


def _guidance(
    uow: UnitOfWork, rubric_id: str, scorer: str, exclude_calls: frozenset[str] = frozenset()
) -> RubricGuidance:
    stored = uow.rubrics.latest(rubric_id)
    guidance = RubricGuidance(rubric_id=rubric_id)
    if stored is None:
        return guidance
    criteria = set(stored.rubric.criterion_ids)
    feedback = [
        f
        for f in uow.teaching.feedback(rubric_id, scope=_TEACHING)
        if f.criterion_id in criteria and f.call_id not in exclude_calls
    ]
    ratings = [
        r
        for r in uow.scores.ratings(rubric_id, scope=_TEACHING)
        if r.evidence_segment is not None
        and r.criterion_id in criteria
        and r.call_id not in exclude_calls
    ]
    calls = {
        c.external_id: c
        for c in uow.calls.get_many(
            {f.call_id for f in feedback} | {r.call_id for r in ratings}, scope=_TEACHING
        )
    }
    # Later verdicts override earlier ones on the same segment (feedback is oldest first).
    verdicts: dict[tuple[str, str, int], bool] = {}
    for f in feedback:
        verdicts[(f.call_id, f.criterion_id, f.segment)] = f.verdict is FeedbackVerdict.CONFIRMED
    # A verdict on a segment beats what a rating implied about it.
    # Each judged call's contexts and positions, worked out once for all its labelled turns.
    layouts = {call_id: _layout(call) for call_id, call in calls.items()}
    guidance.examples.extend(_rated_moments(calls, layouts, ratings, set(verdicts)))
    for (call_id, criterion_id, segment), confirmed in verdicts.items():
        if call_id not in calls:
            continue
        source = "confirmed" if confirmed else "rejected"
        turn = _labelled(calls[call_id], layouts[call_id], criterion_id, segment, confirmed, source)
        if turn is not None:
            guidance.examples.append(turn)
    calibration = uow.teaching.calibration(stored.version_pk, scorer)
    if calibration is None:
        # A rubric edit keeps the last fitted mapping until it is calibrated again.
        for earlier in reversed(uow.rubrics.versions(rubric_id)[:-1]):
            calibration = uow.teaching.calibration(earlier.version_pk, scorer)
            if calibration is not None:
                break
    if calibration is not None:
        guidance.calibration = dict(calibration.params)
    return guidance


def load_guidance(
    store_or_uow: Store | UnitOfWork, rubric_id: str, scorer: str = SCORER
) -> RubricGuidance:
    """Everything people taught the scorer for `rubric_id` (empty guidance when nothing yet)."""
    if isinstance(store_or_uow, UnitOfWork):
        return _guidance(store_or_uow, rubric_id, scorer)
    with store_or_uow.unit_of_work() as uow:
        return _guidance(uow, rubric_id, scorer)


@dataclass(frozen=True)
class FeedbackItem:
    feedback: EvidenceFeedback
    speaker: str
    text: str


def _visible_call(uow: UnitOfWork, call_id: str, access: Scope) -> Any:
    row = uow.calls.row(call_id, scope=access)
    if row is None:
        raise NotFoundError(f"no call {call_id!r}")
    return row


def record_feedback(
    store: Store,
    *,
    call_id: str,
    criterion_id: str,
    segment: int,
    verdict: FeedbackVerdict,
    rubric_id: str,
    rater: str,
    note: str | None = None,
    viewer: Viewer = SYSTEM,
) -> tuple[FeedbackItem, bool]:
    """Store a verdict on one segment for one criterion. Returns (item, is_new)."""
    with store.unit_of_work() as uow:
        access = uow.people.scope_for(viewer)
        row = _visible_call(uow, call_id, access)
        stored = _rubric(uow, rubric_id)
        if criterion_id not in stored.rubric.criterion_ids:
            raise ServiceError(
                f"rubric {rubric_id!r} has no criterion {criterion_id!r}; criteria: "
                + ", ".join(stored.rubric.criterion_ids)
            )
        call = uow.calls.get(call_id, scope=access)
        assert call is not None
        if segment < 0 or segment >= len(call.segments):
            raise ServiceError(
                f"call {call_id!r} has segments 0-{len(call.segments) - 1}; there is no segment {segment}"
            )
        rubric_row = uow.rubrics.rubric_row(rubric_id)
        assert rubric_row is not None
        feedback = EvidenceFeedback(
            call_id=call_id,
            rubric_id=rubric_id,
            criterion_id=criterion_id,
            segment=segment,
            verdict=verdict,
            rater=rater,
            note=note,
        )
        created = uow.teaching.save_feedback(feedback, row.id, rubric_row.id)
        uow.audit.record(
            rater,
            f"evidence.{verdict.value}",
            f"{call_id} {rubric_id}/{criterion_id} segment {segment}",
        )
        seg = call.segments[segment]
        return FeedbackItem(feedback, seg.speaker, seg.text), created


def list_feedback(
    store: Store,
    rubric_id: str | None = None,
    call_id: str | None = None,
    viewer: Viewer = SYSTEM,
) -> list[FeedbackItem]:
    with store.unit_of_work() as uow:
        access = uow.people.scope_for(viewer)
        if call_id is not None:
            _visible_call(uow, call_id, access)
        items = uow.teaching.feedback(rubric_id, call_id, scope=access)
        calls = {
            c.external_id: c for c in uow.calls.get_many({f.call_id for f in items}, scope=access)
        }
        result = []
        for f in items:
            call = calls.get(f.call_id)
            if call is None or f.segment >= len(call.segments):
                continue
            seg = call.segments[f.segment]
            result.append(FeedbackItem(f, seg.speaker, seg.text))
        return result


@dataclass
class CalibrationResult:
    rubric_id: str
    rubric_version: int
    ratings: int
    calls: int
    report: dict[str, Any]
    params: dict[str, Any]
    skipped: list[str] = field(default_factory=list)  # why some ratings were not used


def _rated_evidence(
    store: Store, stored: StoredRubric, scorer: Any, progress: Progress
) -> tuple[list[RatedEvidence], list[list[str]], list[str]]:
    """The scorer's evidence for every rated call, read out of fold.

    Rated calls are split into folds; each fold's calls are judged with what people taught on
    the other folds only (their own rated moments and verdicts left out), so the evidence looks
    the way it will on a call nobody rated. Returns the samples, the folds and what was skipped.
    """
    rubric = stored.rubric
    skipped: list[str] = []
    with store.unit_of_work() as uow:
        ratings = uow.scores.ratings(rubric.id, scope=_TEACHING)
    levels: dict[tuple[str, str], list[int]] = defaultdict(list)
    unknown = 0
    for rating in ratings:
        if rating.criterion_id in rubric.criterion_ids:
            levels[(rating.call_id, rating.criterion_id)].append(rating.level)
        else:
            unknown += 1
    if unknown:
        skipped.append(f"{unknown} rating(s) of criteria no longer in the rubric")
    folds = call_folds(sorted({call_id for call_id, _ in levels}))
    samples: list[RatedEvidence] = []
    kept_folds: list[list[str]] = []
    progress.start("Reading the evidence of rated calls", sum(len(f) for f in folds))
    for fold in folds:
        with store.unit_of_work() as uow:
            guidance = _guidance(uow, rubric.id, SCORER, exclude_calls=frozenset(fold))
        guidance.calibration = None  # evidence is read raw: the mapping is what gets fitted
        kept: list[str] = []
        for call_id in fold:
            with store.unit_of_work() as uow:
                call = uow.calls.get(call_id, scope=_TEACHING)
                row = uow.calls.row(call_id, scope=_TEACHING)
                embeddings = (
                    uow.embeddings.load(row.id, scorer.embedding_model, call.content_hash)
                    if row is not None and call is not None and scorer.embedding_model
                    else None
                )
            progress.advance()
            if call is None or not call.rep_segments:
                skipped.append(f"call {call_id}: no rep speech to read evidence from")
                continue
            kept.append(call_id)
            judged = scorer.judge_turns(call, rubric, embeddings, guidance)
            for crit in rubric.criteria:
                rated = levels.get((call_id, crit.id))
                if rated:
                    samples.append(
                        RatedEvidence(
                            call_id, crit.id, sum(rated) / len(rated), judged[crit.id].strength()
                        )
                    )
        if kept:
            kept_folds.append(kept)
    return samples, kept_folds, skipped


def calibrate(
    store: Store,
    rubric_id: str,
    *,
    scorer: Any = None,
    progress: Progress | None = None,
    actor: str = "cli",
) -> CalibrationResult:
    """Fit the embedded scorer's level mapping on managers' ratings of `rubric_id` and store it."""
    from callcoach.scoring.embedded import EmbeddedScorer

    scorer = scorer or EmbeddedScorer()
    progress = progress or NoProgress()
    with store.unit_of_work() as uow:
        stored = _rubric(uow, rubric_id)
    samples, folds, skipped = _rated_evidence(store, stored, scorer, progress)
    calls = {s.call_id for s in samples}
    if len(samples) < MIN_RATINGS or len(calls) < 2:
        raise ServiceError(
            f"rubric {rubric_id!r} has {len(samples)} usable rating(s) on {len(calls)} call(s); "
            f"calibration needs at least {MIN_RATINGS} ratings on 2 or more calls "
            "(import them with `callcoach import ratings`)"
        )
    report = held_out_report(samples, None, folds)
    mapping = fit_mapping(samples)
    params = {"scorer": SCORER, **mapping.to_params()}
    with store.unit_of_work() as uow:
        uow.teaching.save_calibration(stored.version_pk, SCORER, params, report)
        uow.audit.record(actor, "scorer.calibrate", f"{rubric_id} v{stored.version}")
    return CalibrationResult(
        rubric_id=rubric_id,
        rubric_version=stored.version,
        ratings=len(samples),
        calls=len(calls),
        report=report,
        params=params,
        skipped=skipped,
    )
