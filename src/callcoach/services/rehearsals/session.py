"""Rehearse a review: start, say a line (the persona answers), finish (scored, debriefed), retry.

A rehearsal is a practice scenario of kind "rehearsal" tied to the review (one per review),
practised in sessions of attempts like any scenario (store/models/practice.py): the manager is
the practitioner, the persona of the rep answers. Each attempt is scored on the bundled
review-conversation rubric by the configured scorer (the same engine as calls) and debriefed.

Access: only a manager whose scope holds the review's rep, and administrators, may rehearse a
review; a manager reads only the rehearsals they ran. A rep is told a rehearsal does not exist,
exactly as for anything outside their scope (the store never returns one to a rep's scope).
Every action is audit-logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from callcoach.domain.access import SYSTEM, Role, Viewer
from callcoach.domain.practice import (
    Attempt,
    AttemptScore,
    AttemptStatus,
    Goal,
    Persona,
    PersonaRole,
    PracticeEvidence,
    PracticeSession,
    Scenario,
    ScenarioKind,
    SessionStatus,
    TurnSpeaker,
    TurnVia,
)
from callcoach.domain.rehearsal import (
    REHEARSAL_TURN_LIMIT,
    REVIEW_CONVERSATION_RUBRIC,
    RehearsalError,
    RehearsalTurn,
    check_manager_line,
    from_practice_turn,
    rehearsal_call,
    source_to_json,
)
from callcoach.domain.scores import ScoreStatus
from callcoach.roleplay.encoders import Encoder
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.services.rehearsals.persona import build_persona, persona_summary
from callcoach.services.rehearsals.rep_model import RepModel
from callcoach.services.rehearsals.scoring import score_rehearsal
from callcoach.services.reviews.common import load_review, scope_of
from callcoach.services.rubrics.catalog import add_rubric_text, template_text
from callcoach.store.repositories.rubrics import StoredRubric
from callcoach.store.uow import Store, UnitOfWork


class RehearsalServiceError(ServiceError):
    """A rehearsal action refused; nothing was changed."""


@dataclass
class RehearsalView:
    session_id: int
    review_id: int
    rep: str
    manager: str
    status: SessionStatus
    persona: dict[str, Any]  # the profile of the persona, shown to the manager
    attempts: list[Attempt]

    @property
    def current(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    def turns(self, attempt: Attempt | None = None) -> list[RehearsalTurn]:
        chosen = attempt or self.current
        return [from_practice_turn(t) for t in chosen.turns] if chosen else []


def _not_found(session_id: int) -> NotFoundError:
    return NotFoundError(f"no rehearsal {session_id}")


def _refuse_reps(viewer: Viewer, review_id: int) -> None:
    # A rep is told there is nothing to rehearse, not that it is forbidden: a rep never learns
    # whether their manager rehearsed their review.
    if viewer.role is Role.REP:
        raise NotFoundError(f"no review {review_id} to rehearse")


def review_conversation_rubric(store: Store) -> StoredRubric:
    """The bundled review-conversation rubric; added from the template if the database predates
    it. An organisation may edit it: its latest version is used."""
    with store.unit_of_work() as uow:
        stored = uow.rubrics.latest(REVIEW_CONVERSATION_RUBRIC)
    if stored is None:
        stored = add_rubric_text(
            store,
            template_text(REVIEW_CONVERSATION_RUBRIC),
            f"template {REVIEW_CONVERSATION_RUBRIC}",
            created_by="callcoach",
        ).stored
    return stored


def _scenario(
    review_id: int, rep: str, rubric: StoredRubric, persona: dict[str, Any], by: str
) -> Scenario:
    good = "; ".join(f"{c.name}: {c.anchor(4)}" for c in rubric.rubric.criteria)
    own = [f"{d['dimension']}: {d['words']}" for d in persona.get("disputes", [])]
    return Scenario(
        id=None,
        kind=ScenarioKind.REHEARSAL,
        rep=rep,
        title=f"Review {review_id} of {rep}: rehearsal",
        persona=Persona(
            name=rep, role="sales rep", company=None, concerns=tuple(own), speaks_as=PersonaRole.REP
        ),
        context=(),
        opening_line=f"({rep} joins the review meeting. You open it.)",
        goal=Goal(REVIEW_CONVERSATION_RUBRIC, rubric.rubric.name, good),
        rubric_id=REVIEW_CONVERSATION_RUBRIC,
        rubric_version=rubric.version,
        turn_limit=REHEARSAL_TURN_LIMIT,
        origin={"review_id": review_id, "persona": persona},
        created_by=by,
    )


def start_rehearsal(
    store: Store, review_id: int, encode: Encoder, viewer: Viewer = SYSTEM
) -> RehearsalView:
    """A new rehearsal session of the review, with the persona built from the rep's words."""
    _refuse_reps(viewer, review_id)
    rubric = review_conversation_rubric(store)
    with store.unit_of_work() as uow:
        scope = scope_of(uow, viewer)
        review = load_review(uow, review_id, scope)
        persona = persona_summary(build_persona(uow, review, scope, encode))
        rubric_row = uow.rubrics.rubric_row(REVIEW_CONVERSATION_RUBRIC)
        assert rubric_row is not None
        found = uow.practice.scenarios(
            scope=scope, kind=ScenarioKind.REHEARSAL, review_id=review_id
        )
        if found and found[0].id is not None:
            scenario_id = found[0].id
        else:
            scenario_id = uow.practice.create_scenario(
                _scenario(review_id, review.summary.rep, rubric, persona, viewer.username),
                rep_pk=review.summary.rep_pk,
                rubric_pk=rubric_row.id,
                source_call_pk=None,
                review_id=review_id,
            )
        session_id = uow.practice.create_session(
            scenario_id, review.summary.rep_pk, viewer.username
        )
        uow.practice.add_attempt(session_id)
        uow.audit.record(
            viewer.username,
            "rehearsal.start",
            review.summary.rep,
            review=review_id,
            session=session_id,
        )
    view = show_rehearsal(store, session_id, viewer, audit=False)
    view.persona = persona
    return view


def _session(uow: UnitOfWork, session_id: int, viewer: Viewer) -> tuple[PracticeSession, int]:
    """The viewer's rehearsal session and its review id (404 for anything else)."""
    if viewer.role is Role.REP:
        raise _not_found(session_id)
    scope = scope_of(uow, viewer)
    session = uow.practice.session_of(session_id, scope=scope)
    if session is None:
        raise _not_found(session_id)
    review_id = uow.practice.scenario_review_id(session.scenario_id, scope=scope)
    if review_id is None or (
        viewer.role is not Role.ADMIN and session.started_by != viewer.username
    ):
        raise _not_found(session_id)
    return session, review_id


def _open_attempt(session: PracticeSession) -> Attempt:
    attempt = session.current
    if session.status is SessionStatus.FINISHED or attempt is None:
        raise RehearsalServiceError(
            f"rehearsal {session.id} is closed: start a new one to rehearse again"
        )
    if attempt.status is not AttemptStatus.IN_PROGRESS:
        raise RehearsalServiceError(
            f"attempt {attempt.number} of rehearsal {session.id} is finished: "
            "retry to rehearse the review again"
        )
    return attempt


def _attempt_taking_lines(session: PracticeSession) -> Attempt:
    attempt = _open_attempt(session)
    if attempt.turns_left(REHEARSAL_TURN_LIMIT) == 0:
        raise RehearsalServiceError(
            f"this attempt has its {REHEARSAL_TURN_LIMIT} lines: finish it to be scored"
        )
    return attempt


def ensure_can_say(store: Store, session_id: int, viewer: Viewer = SYSTEM) -> None:
    """Refuse early (before a spoken line is transcribed) what `say` would refuse for the
    session: not found for anyone but its manager and administrators, a closed attempt."""
    with store.unit_of_work() as uow:
        session, _ = _session(uow, session_id, viewer)
        _attempt_taking_lines(session)


def say(
    store: Store,
    session_id: int,
    line: str,
    encode: Encoder,
    viewer: Viewer = SYSTEM,
    via: TurnVia = TurnVia.TEXT,
    *,
    model: RepModel | None = None,
) -> RehearsalTurn:
    """The manager's line; returns the persona's answer (both kept in the current attempt,
    both marked `via`: a spoken line is answered aloud). With `model`, the offline persona's
    line is phrased by the model behind the guardrails (`rep_model`), outside any transaction."""
    try:
        text = check_manager_line(line)
    except RehearsalError as exc:
        raise RehearsalServiceError(str(exc)) from exc
    with store.unit_of_work() as uow:
        session, review_id = _session(uow, session_id, viewer)
        attempt = _attempt_taking_lines(session)
        assert attempt.id is not None
        scope = scope_of(uow, viewer)
        persona = build_persona(uow, load_review(uow, review_id, scope), scope, encode)
        turns = [from_practice_turn(t) for t in attempt.turns]
        turns.append(RehearsalTurn(TurnSpeaker.PRACTITIONER, text))
        answer = persona.reply(turns)
        if model is None:
            _keep(uow, attempt.id, text, answer, via)
            return answer
    answer = model.phrase(persona, turns, answer)
    with store.unit_of_work() as uow:
        session, _ = _session(uow, session_id, viewer)
        now = _attempt_taking_lines(session)
        if now.id != attempt.id or len(now.turns) != len(attempt.turns):
            raise RehearsalServiceError(
                "the rehearsal moved on while the rep answered (another line was said): "
                "say your line again"
            )
        _keep(uow, attempt.id, text, answer, via)
    return answer


def _keep(uow: UnitOfWork, attempt_id: int, line: str, answer: RehearsalTurn, via: TurnVia) -> None:
    uow.practice.add_turn(attempt_id, TurnSpeaker.PRACTITIONER, line, via)
    uow.practice.add_turn(attempt_id, TurnSpeaker.PERSONA, answer.text, via, source_to_json(answer))


def finish_attempt(
    store: Store,
    session_id: int,
    scorer: ScorerConfig,
    viewer: Viewer = SYSTEM,
    self_judgement: str | None = None,
) -> RehearsalView:
    """Score the current attempt on the review-conversation rubric; the coach debriefs it."""
    with store.unit_of_work() as uow:
        session, review_id = _session(uow, session_id, viewer)
        attempt = _open_attempt(session)
        review = load_review(uow, review_id, scope_of(uow, viewer))
    turns = [from_practice_turn(t) for t in attempt.turns]
    if not any(t.speaker is TurnSpeaker.PRACTITIONER for t in turns):
        raise RehearsalServiceError(
            "nothing to score: this attempt has no line of yours yet (say something first)"
        )
    rubric = review_conversation_rubric(store)
    call = rehearsal_call(session_id, turns, session.started_by, session.rep)
    scored = score_rehearsal(call, rubric, scorer, turns, review.pack, self_judgement)
    assert attempt.id is not None
    with store.unit_of_work() as uow:
        uow.practice.end_attempt(attempt.id)
        uow.practice.save_score(
            attempt.id,
            AttemptStatus.SCORED
            if scored.score.status is ScoreStatus.SCORED
            else AttemptStatus.NOT_SCORABLE,
            AttemptScore(
                criterion_id=REVIEW_CONVERSATION_RUBRIC,
                level=scored.level,
                confidence=scored.confidence,
                rationale=scored.rationale,
                evidence=tuple(
                    PracticeEvidence(e.segment, e.quote)
                    for c in scored.score.criteria
                    for e in c.evidence
                ),
                scorer=scored.score.scorer,
                scorer_version=scored.score.scorer_version,
            )
            if scored.score.status is ScoreStatus.SCORED
            else None,
        )
        uow.practice.save_debrief(attempt.id, scored.as_json())
        uow.audit.record(
            viewer.username,
            "rehearsal.finish",
            session.rep,
            session=session_id,
            attempt=attempt.number,
        )
    return show_rehearsal(store, session_id, viewer, audit=False)


def retry(store: Store, session_id: int, viewer: Viewer = SYSTEM) -> RehearsalView:
    """A new attempt at the same review (the earlier ones are kept)."""
    with store.unit_of_work() as uow:
        session, _ = _session(uow, session_id, viewer)
        if session.status is SessionStatus.FINISHED:
            raise RehearsalServiceError(f"rehearsal {session_id} is closed: start a new one")
        current = session.current
        if current is not None and current.status is AttemptStatus.IN_PROGRESS:
            raise RehearsalServiceError(
                f"attempt {current.number} is still going: finish it before retrying"
            )
        uow.practice.add_attempt(session_id)
    return show_rehearsal(store, session_id, viewer, audit=False)


def show_rehearsal(
    store: Store, session_id: int, viewer: Viewer = SYSTEM, *, audit: bool = True
) -> RehearsalView:
    with store.unit_of_work() as uow:
        session, review_id = _session(uow, session_id, viewer)
        scenario = uow.practice.scenario(session.scenario_id, scope=scope_of(uow, viewer))
        if audit:
            uow.audit.record(viewer.username, "rehearsal.view", session.rep, session=session_id)
    assert session.id is not None and scenario is not None
    return RehearsalView(
        session_id=session.id,
        review_id=review_id,
        rep=session.rep,
        manager=session.started_by,
        status=session.status,
        persona=dict(scenario.origin.get("persona") or {}),
        attempts=list(session.attempts),
    )


def rehearsals_of_review(
    store: Store, review_id: int, viewer: Viewer = SYSTEM
) -> list[RehearsalView]:
    """The viewer's rehearsals of a review (every one for an administrator; none for a rep)."""
    if viewer.role is Role.REP:
        return []
    with store.unit_of_work() as uow:
        scope = scope_of(uow, viewer)
        scenarios = uow.practice.scenarios(
            scope=scope, kind=ScenarioKind.REHEARSAL, review_id=review_id
        )
        sessions = [
            s
            for scenario in scenarios
            for s in uow.practice.sessions(scope=scope, scenario_id=scenario.id)
            if viewer.role is Role.ADMIN or s.started_by == viewer.username
        ]
    return [show_rehearsal(store, s.id, viewer, audit=False) for s in sessions]
