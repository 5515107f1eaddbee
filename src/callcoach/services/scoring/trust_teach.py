"""Teach the scorer: the moments to ask people about, one criterion at a time.

`teach_queue` judges a pool of the viewer's calls with everything taught so far, turns every rep
turn into a candidate with the model's likelihood, and lets `scoring/teaching_queue.py` choose
the moments that teach most (least certain, spread across calls and reps, likely positives of a
rare criterion). Answers go through `record_feedback`: a normal evidence verdict, audited. The
queue stops for a criterion that is trusted, and otherwise says roughly how many answers the
criterion still needs (analytics/trust.py `_answers_needed`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from callcoach.domain.access import SYSTEM, Scope, Viewer
from callcoach.domain.calls import Call
from callcoach.domain.scores import FeedbackVerdict
from callcoach.domain.trust import CriterionTrust, TrustState
from callcoach.scoring.embedded_rationale import clock
from callcoach.scoring.teaching_queue import Candidate, answers_needed, select_moments
from callcoach.services.common import ServiceError
from callcoach.services.scoring.teaching import SCORER, _guidance, _rubric
from callcoach.services.scoring.trust import organisation_bar, trust_report
from callcoach.store.repositories.calls import CallFilter
from callcoach.store.uow import Store

POOL_CALLS = 40  # calls judged to find the next moments (spread over reps, least judged first)
CONTEXT_BEFORE = 2  # turns shown before the moment
CONTEXT_AFTER = 1


@dataclass(frozen=True)
class ContextTurn:
    turn: int
    speaker: str
    text: str
    is_moment: bool = False


@dataclass(frozen=True)
class TeachMoment:
    call_id: str
    rep: str | None
    turn: int  # the transcript turn, numbered as everywhere else (segment index)
    speaker: str
    text: str
    where: str  # "at 4:05, late in the call"
    likelihood: float
    context: list[ContextTurn] = field(default_factory=list)


@dataclass(frozen=True)
class TeachQueue:
    rubric_id: str
    criterion_id: str
    name: str
    description: str
    anchors: dict[int, str]
    trust: CriterionTrust
    confirmed: int
    rejected: int
    moments: list[TeachMoment]
    stopped: str | None = None  # why nothing is asked
    # While learning: the queue's own estimate (teaching_queue.answers_needed) when it has one.
    estimate: int | None = None

    @property
    def needed_text(self) -> str:
        n = self.estimate if self.estimate is not None else self.trust.answers_needed
        if self.trust.state is TrustState.TRUSTED:
            return "trusted: no more answers needed"
        if n is None:
            return "answers still needed: not estimated yet (`callcoach scorer trust`)"
        return f"about {n} more answer(s) estimated before the next trust decision"


def where_said(call: Call, turn: int) -> str:
    """'at 4:05, late in the call' (no time: 'late in the call, turn 61 of 80')."""
    count = len(call.segments)
    share = turn / max(count - 1, 1)
    part = "early" if share < 1 / 3 else "late" if share > 2 / 3 else "midway"
    start = call.segments[turn].start
    if start is not None:
        return f"at {clock(start)}, {part} in the call"
    return f"{part} in the call"


def _pool(store: Store, viewer: Viewer, judged_calls: Counter[str]) -> list[Call]:
    """Up to POOL_CALLS visible calls: least judged first, taking turns across reps."""
    with store.unit_of_work() as uow:
        access = uow.people.scope_for(viewer)
        ids = uow.calls.external_ids(CallFilter(), scope=access)
        if not ids:
            return []
        calls = uow.calls.get_many(ids, scope=access)
    by_rep: dict[str | None, list[Call]] = {}
    for call in sorted(calls, key=lambda c: (judged_calls[c.external_id], c.external_id)):
        if call.rep_segments:
            by_rep.setdefault(call.rep, []).append(call)
    chosen: list[Call] = []
    queues = list(by_rep.values())
    while len(chosen) < POOL_CALLS and any(queues):
        for queue in queues:
            if queue and len(chosen) < POOL_CALLS:
                chosen.append(queue.pop(0))
    return chosen


def _context(call: Call, turn: int) -> list[ContextTurn]:
    first = max(0, turn - CONTEXT_BEFORE)
    last = min(len(call.segments), turn + CONTEXT_AFTER + 1)
    return [
        ContextTurn(s.index, s.speaker, s.text, s.index == turn) for s in call.segments[first:last]
    ]


def teach_queue(
    store: Store,
    rubric_id: str,
    criterion_id: str,
    *,
    count: int = 10,
    viewer: Viewer = SYSTEM,
    scorer: Any = None,
    skip: frozenset[tuple[str, int]] = frozenset(),
) -> TeachQueue:
    """The next `count` moments to ask about for one criterion (none once it is trusted).

    `skip` holds (call, turn) the person skipped in this session: not asked again now."""
    with store.unit_of_work() as uow:
        stored = _rubric(uow, rubric_id)
        if criterion_id not in stored.rubric.criterion_ids:
            raise ServiceError(
                f"rubric {rubric_id!r} has no criterion {criterion_id!r}; criteria: "
                + ", ".join(stored.rubric.criterion_ids)
            )
        crit = stored.rubric.criterion(criterion_id)
        report = trust_report(uow, rubric_id)
        trust = report.states()[criterion_id]
        # Every verdict on the criterion (aggregates and what not to ask again; none is shown).
        everyone = Scope.system("teaching queue: what the criterion was already taught")
        feedback = [
            f
            for f in uow.teaching.feedback(rubric_id, scope=everyone)
            if f.criterion_id == criterion_id
        ]
        guidance = _guidance(uow, rubric_id, SCORER)
        bar = organisation_bar(uow)
        access = uow.people.scope_for(viewer)
    confirmed = sum(f.verdict is FeedbackVerdict.CONFIRMED for f in feedback)
    base = dict(
        rubric_id=rubric_id,
        criterion_id=criterion_id,
        name=crit.name,
        description=crit.description,
        anchors=dict(crit.anchors),
        trust=trust,
        confirmed=confirmed,
        rejected=len(feedback) - confirmed,
    )
    if trust.state is TrustState.TRUSTED:
        return TeachQueue(
            **base,  # type: ignore[arg-type]
            moments=[],
            stopped=f"{crit.name} is trusted: the scorer agrees with your team on it, "
            "no more answers are needed",
        )
    judged = {(f.call_id, f.criterion_id, f.segment) for f in feedback}
    judged |= {(call_id, criterion_id, turn) for call_id, turn in skip}
    pool = _pool(store, viewer, Counter(f.call_id for f in feedback))
    if not pool:
        return TeachQueue(**base, moments=[], stopped="no call with rep speech to ask about")  # type: ignore[arg-type]
    if scorer is None:
        from callcoach.scoring.embedded import EmbeddedScorer

        scorer = EmbeddedScorer()
    candidates: list[Candidate] = []
    calls = {c.external_id: c for c in pool}
    for call in pool:
        with store.unit_of_work() as uow:
            row = uow.calls.row(call.external_id, scope=access)
            embeddings = (
                uow.embeddings.load(row.id, scorer.embedding_model, call.content_hash)
                if row is not None and scorer.embedding_model
                else None
            )
        judgement = scorer.judge_turns(call, stored.rubric, embeddings, guidance)[criterion_id]
        likelihood = np.asarray(judgement.likelihood, dtype=float)
        for segment, p in zip(judgement.segments, likelihood.tolist(), strict=True):
            candidates.append(
                Candidate(
                    call.external_id,
                    criterion_id,
                    segment,
                    p,
                    judgement.present,
                    call.rep,
                    call.segments[segment].text,
                )
            )
    rejected = len(feedback) - confirmed
    answered_texts = [
        e.text
        for e in guidance.for_criterion(criterion_id)
        if e.source in ("confirmed", "rejected")
    ]
    chosen = select_moments(
        candidates,
        count,
        judged=judged,
        counts={criterion_id: (confirmed, rejected)},
        judged_texts={criterion_id: answered_texts},
    )
    estimate = None
    if trust.state is TrustState.LEARNING:
        estimate = answers_needed(
            candidates,
            criterion_id,
            confirmed,
            rejected,
            min_each=bar.min_each,
            min_judgements=bar.min_judgements,
            judged=judged,
        )
    moments = []
    for c in chosen:
        call = calls[c.call_id]
        seg = call.segments[c.segment]
        moments.append(
            TeachMoment(
                call_id=c.call_id,
                rep=call.rep,
                turn=c.segment,
                speaker=seg.speaker,
                text=seg.text,
                where=where_said(call, c.segment),
                likelihood=c.likelihood,
                context=_context(call, c.segment),
            )
        )
    stopped = None if moments else "every rep turn of the calls at hand has been answered"
    return TeachQueue(**base, moments=moments, stopped=stopped, estimate=estimate)  # type: ignore[arg-type]
