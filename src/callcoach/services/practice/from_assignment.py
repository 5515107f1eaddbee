"""A practice scenario cut for a practice assignment (issue 17, sections 1 and 4).

How the moment is chosen (docs/practice.md, "From an assignment"):

- **An objection type** (its name is a real prospect quote, the central quote reviews name a
  type by): the candidates are the scored moments of the calls of the rep's own lost deals
  (the CRM's outcome `lost`, whenever they closed): each evidence quote of the rep's answer on
  the criteria the rubric's own text says are about objections (`objection` in the id, name or
  description, as reviews find the objection-handling criterion), or on every criterion when
  none is. The prospect's line each answers is the scenario's line at that moment
  (`cutting.cut_moment`). Those lines are grouped and matched to the type by the review's own
  encoder and clustering (`analytics.reviews_objections.type_members`). Of the moments of the
  type, the one whose answer scored lowest is cut; ties: the line closest to the type's name,
  then the most recent call. The scenario's origin records the assignment and the objection,
  so sessions on it count towards the assignment.
- **A criterion**: the rep's weakest quoted moment on it in the latest cycle with scored calls,
  as a coaching priority chooses it (lowest level, most confident, most recent).

Scope: the assignment is read in the viewer's scope (a rep reads only their own; another
rep's is "no practice assignment", like an unknown id), and so is every call and deal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from callcoach.analytics.reviews_objections import type_members
from callcoach.domain.access import SYSTEM, Scope, Viewer
from callcoach.domain.assignments import Assignment, TargetKind
from callcoach.domain.calls import Call, DealOutcome
from callcoach.domain.practice import (
    DEFAULT_DIFFICULTY,
    DEFAULT_TURN_LIMIT,
    PracticeError,
    Scenario,
)
from callcoach.domain.rubric import Rubric
from callcoach.domain.scores import CallScore
from callcoach.services.assessment.query import AssessmentQuery, resolve_scope
from callcoach.services.common import NotFoundError
from callcoach.services.practice.cutting import cut_moment
from callcoach.services.practice.scenarios import (
    PracticeServiceError,
    create_from_call,
    run_on,
)
from callcoach.settings import Settings
from callcoach.store.repositories.calls import CallFilter
from callcoach.store.uow import Store, UnitOfWork

# A criterion is about objections when its own text says so (the word reviews look for).
OBJECTION_WORD = "objection"

# Texts in, one sentence vector a row out: the bundled MiniLM's `encode` by default, the
# encoder reviews group objection types with.
TextEncoder = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Candidate:
    """One scored moment: the rep's answer (evidence) and the prospect's line it answers."""

    call_id: str
    when: datetime | None
    criterion_id: str
    level: int
    confidence: float
    segment: int  # the rep's segment of the moment
    prospect_line: str


def objection_criteria(rubric: Rubric) -> list[str]:
    """The rubric's criteria about objections, by their own text; every criterion if none."""
    found = [
        c.id
        for c in rubric.criteria
        if OBJECTION_WORD in f"{c.id} {c.name} {c.description}".lower().replace("_", " ")
    ]
    return found or list(rubric.criterion_ids)


def moments_of(
    calls: list[Call], runs: dict[str, list[CallScore]], criteria: list[str], prefer: str
) -> list[Candidate]:
    """Every evidence quote on these criteria that can be cut (a prospect line before it)."""
    found: list[Candidate] = []
    for call in calls:
        for criterion_id in criteria:
            _run, scored = run_on(runs.get(call.external_id, []), criterion_id, prefer)
            if scored is None or scored.level is None:
                continue
            seen: set[int] = set()
            for evidence in scored.evidence:
                try:
                    moment = cut_moment(call, evidence.segment)
                except PracticeError:
                    continue  # not a rep's answer to the prospect: nothing to practise there
                if moment.rep_segment in seen:
                    continue
                seen.add(moment.rep_segment)
                found.append(
                    Candidate(
                        call.external_id,
                        call.date,
                        criterion_id,
                        int(scored.level),
                        float(scored.confidence),
                        moment.rep_segment,
                        moment.opening_line,
                    )
                )
    return found


def _newest(when: datetime | None) -> float:
    return -(when.timestamp() if when else 0.0)


def weakest(candidates: list[Candidate]) -> Candidate:
    """Lowest level, then most confident, then most recent (a coaching priority's order)."""
    return min(candidates, key=lambda c: (c.level, -c.confidence, _newest(c.when)))


def of_objection(
    candidates: list[Candidate], objection: str, encoder: TextEncoder
) -> tuple[Candidate, float] | None:
    """The lowest-scored moment whose prospect line is of the objection type, with its line's
    similarity to the type's name; None when no line is of that type."""
    texts = list(dict.fromkeys(" ".join(c.prospect_line.split()) for c in candidates))
    vectors = np.asarray(encoder([*texts, objection]), dtype=float)
    members, similarity = type_members(texts, vectors[:-1], objection, vectors[-1])
    of_type = {texts[m]: float(similarity[m]) for m in members}
    matching = [c for c in candidates if " ".join(c.prospect_line.split()) in of_type]
    if not matching:
        return None
    chosen = min(
        matching,
        key=lambda c: (
            c.level,
            -of_type[" ".join(c.prospect_line.split())],
            _newest(c.when),
        ),
    )
    return chosen, of_type[" ".join(chosen.prospect_line.split())]


def _assignment(uow: UnitOfWork, assignment_id: int, scope: Scope) -> Assignment:
    found = uow.assignments.list(scope=scope, ids=[assignment_id])
    if not found:
        raise NotFoundError(f"no practice assignment {assignment_id}")
    return found[0][0]


def _scores(
    uow: UnitOfWork, calls: list[Call], rubric: str, scope: Scope
) -> dict[str, list[CallScore]]:
    return {
        c.external_id: [
            r for r in uow.scores.for_call(c.external_id, scope=scope) if r.rubric_id == rubric
        ]
        for c in calls
    }


def _suggestion(assignment: Assignment, criterion: str) -> str:
    return (
        f"practise a criterion instead: callcoach practice create --call CALL --criterion "
        f"{criterion}, or --rep {assignment.rep!r} --priority 1"
    )


def _lost_deal_moments(
    uow: UnitOfWork, assignment: Assignment, rubric: Rubric, scope: Scope, prefer: str
) -> tuple[list[Candidate], list[str]]:
    """The scored moments of the rep's lost deals' calls on the objection criteria."""
    ids = uow.calls.external_ids(CallFilter(rep=assignment.rep), scope=scope)
    calls = uow.calls.get_many(ids, scope=scope)
    deals = uow.deals.get_many(
        {c.deal_external_id for c in calls if c.deal_external_id}, scope=scope
    )
    lost = {key for key, deal in deals.items() if deal.outcome is DealOutcome.LOST}
    criteria = objection_criteria(rubric)
    if not lost:
        raise PracticeServiceError(
            f"{assignment.rep} has no lost deal in the CRM data (no call linked to a deal whose "
            f"outcome is lost): an objection type is cut from a lost deal's call; "
            + _suggestion(assignment, criteria[0])
        )
    lost_calls = [c for c in calls if c.deal_external_id in lost]
    runs = _scores(uow, lost_calls, rubric.id, scope)
    return moments_of(lost_calls, runs, criteria, prefer), criteria


def create_from_assignment(
    store: Store,
    assignment_id: int,
    *,
    viewer: Viewer = SYSTEM,
    settings: Settings | None = None,
    encoder: TextEncoder | None = None,
    difficulty: int = DEFAULT_DIFFICULTY,
    turn_limit: int = DEFAULT_TURN_LIMIT,
) -> Scenario:
    """A scenario for the assignment: from a moment of its objection type in the rep's lost
    deals, or from the rep's weakest moment on its criterion."""
    settings = settings or Settings()
    cycle = ""
    with store.unit_of_work() as uow:
        scope = uow.people.scope_for(viewer)
        assignment = _assignment(uow, assignment_id, scope)
        stored = uow.rubrics.latest(assignment.rubric)
        if stored is None:  # pragma: no cover - an assignment keeps its rubric
            raise NotFoundError(f"no rubric {assignment.rubric!r}")
        rubric = stored.rubric
        if assignment.target_kind is TargetKind.OBJECTION:
            candidates, criteria = _lost_deal_moments(
                uow, assignment, rubric, scope, settings.scorer
            )
        else:
            question = resolve_scope(
                uow,
                AssessmentQuery(
                    rubric=assignment.rubric, rep=assignment.rep, preferred_scorer=settings.scorer
                ),
                viewer,
            )
            since, until = question.cycle.bounds()
            ids = uow.calls.external_ids(
                CallFilter(rep=assignment.rep, since=since, until=until), scope=scope
            )
            calls = uow.calls.get_many(ids, scope=scope)
            runs = _scores(uow, calls, rubric.id, scope)
            candidates = moments_of(calls, runs, [assignment.target], settings.scorer)
            cycle = question.cycle.label
    origin: dict[str, Any] = {"from": "assignment", "assignment": assignment_id}
    common: dict[str, Any] = {
        "rubric": assignment.rubric,
        "viewer": viewer,
        "settings": settings,
        "difficulty": difficulty,
        "turn_limit": turn_limit,
    }
    if assignment.target_kind is TargetKind.CRITERION:
        if not candidates:
            raise PracticeServiceError(
                f"{assignment.rep} has no quoted moment on {assignment.target!r} in {cycle} to "
                "cut: give the call (callcoach practice create --call CALL --criterion "
                f"{assignment.target} --segment N)"
            )
        chosen = weakest(candidates)
        origin |= {"criterion": assignment.target, "cycle": cycle}
        return create_from_call(
            store, chosen.call_id, chosen.criterion_id, segment=chosen.segment, origin=origin,
            **common,
        )  # fmt: skip
    if not candidates:
        raise PracticeServiceError(
            f"none of {assignment.rep}'s lost deals has a scored call with a quoted answer on "
            f"{', '.join(criteria)}: score those calls first, or "
            + _suggestion(assignment, criteria[0])
        )
    if encoder is None:
        from callcoach.services.reviews.prepare import default_encoder

        encoder = default_encoder(settings).encode
    found = of_objection(candidates, assignment.target, encoder)
    if found is None:
        raise PracticeServiceError(
            f"no prospect in {assignment.rep}'s lost deals raised the objection "
            f"“{assignment.target}” before a scored answer (their objections there were matched "
            "as reviews group them); " + _suggestion(assignment, criteria[0])
        )
    chosen, similarity = found
    origin |= {"objection": assignment.target, "similarity": round(similarity, 3)}
    return create_from_call(
        store,
        chosen.call_id,
        chosen.criterion_id,
        segment=chosen.segment,
        title=f"Objection “{assignment.target[:70]}”",
        origin=origin,
        **common,
    )
