"""Practice sessions: take turns with the prospect, end and score an attempt, talk it through
with the coach, retry (a new attempt), finish.

Only the person who started a session takes its turns; everyone who may see its rep may read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from callcoach.domain.access import SYSTEM, Scope, Viewer
from callcoach.domain.practice import (
    STRONG_LEVEL,
    AttemptStatus,
    PracticeError,
    PracticeSession,
    Scenario,
    ScenarioKind,
    SessionStatus,
    TurnSpeaker,
    TurnVia,
    clean_line,
)
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.accounts.users import PermissionDeniedError
from callcoach.services.common import NotFoundError
from callcoach.services.practice import coach
from callcoach.services.practice.cutting import persona_name
from callcoach.services.practice.prospect import Prospect, ProspectReply
from callcoach.services.practice.scenarios import PracticeServiceError, show_scenario
from callcoach.services.practice.scoring import AttemptResult, PracticeScorer
from callcoach.settings import Settings
from callcoach.store.repositories.practice import SessionSummary, StrongMoment
from callcoach.store.uow import Store, UnitOfWork

# The coach shows a teammate's strong moment on the same criterion (issue 17 §3), whatever the
# rep may see: only the quote and the prospect's line before it, with names replaced.
_TEAMMATE = Scope.system("practice coach: a teammate's level 4-5 moment, names hidden")


@dataclass
class PracticeKit:
    """What sessions need, built once per process: the prospect and the scorer hold models."""

    store: Store
    settings: Settings
    prospect: Prospect
    scorer: PracticeScorer

    @classmethod
    def build(
        cls,
        store: Store,
        settings: Settings,
        scorer_config: ScorerConfig,
        *,
        encoder: Any = None,
        use_model: bool | None = None,
    ) -> PracticeKit:
        return cls(
            store,
            settings,
            Prospect(store, settings, encoder=encoder, use_model=use_model),
            PracticeScorer(store, scorer_config),
        )


@dataclass(frozen=True)
class TurnOutcome:
    session: PracticeSession
    reply: ProspectReply
    attempt_ended: bool  # the turn limit was reached: the attempt was ended and scored


def show_session(store: Store, session_id: int, viewer: Viewer = SYSTEM) -> PracticeSession:
    with store.unit_of_work() as uow:
        scope = uow.people.scope_for(viewer)
        session = uow.practice.session_of(session_id, scope=scope)
        # A review rehearsal is read only through services/rehearsals (its manager's own).
        rehearsal = (
            session is not None
            and uow.practice.scenario_review_id(session.scenario_id, scope=scope) is not None
        )
    if session is None or rehearsal:
        raise NotFoundError(f"no practice session {session_id}")
    return session


def list_sessions(
    store: Store,
    viewer: Viewer = SYSTEM,
    *,
    rep: str | None = None,
    scenario_id: int | None = None,
) -> list[SessionSummary]:
    with store.unit_of_work() as uow:
        scope = uow.people.scope_for(viewer)
        rep_pks = None
        if rep is not None:
            row = uow.people.rep_row(rep)
            if row is None or not scope.allows_rep(row.id):
                raise NotFoundError(f"no rep {rep!r}")
            rep_pks = [row.id]
        found = uow.practice.sessions(scope=scope, scenario_id=scenario_id, rep_pks=rep_pks)
        # Review rehearsals are listed only by services/rehearsals (each manager's own).
        rehearsals = {
            s.id for s in uow.practice.scenarios(scope=scope, kind=ScenarioKind.REHEARSAL)
        }
        return [s for s in found if s.scenario_id not in rehearsals]


def _own_session(store: Store, session_id: int, viewer: Viewer) -> tuple[PracticeSession, Scenario]:
    session = show_session(store, session_id, viewer)
    if session.started_by != viewer.username:
        raise PermissionDeniedError(
            f"session {session_id} is {session.started_by}'s: only they take its turns"
        )
    if session.status is SessionStatus.FINISHED:
        raise PracticeServiceError(f"session {session_id} is finished: start a new one")
    return session, show_scenario(store, session.scenario_id, viewer)


def start_session(store: Store, scenario_id: int, viewer: Viewer = SYSTEM) -> PracticeSession:
    """A new session of the scenario with its first attempt open."""
    with store.unit_of_work() as uow:
        scope = uow.people.scope_for(viewer)
        rep_pk = uow.practice.scenario_rep_pk(scenario_id, scope=scope)
        if rep_pk is None:
            raise NotFoundError(f"no practice scenario {scenario_id}")
        session_id = uow.practice.create_session(scenario_id, rep_pk, viewer.username)
        uow.practice.add_attempt(session_id)
    return show_session(store, session_id, viewer)


def ensure_turn_allowed(store: Store, session_id: int, viewer: Viewer = SYSTEM) -> None:
    """Refuse early (before a recording is transcribed) what `take_turn` would refuse."""
    session, _scenario = _own_session(store, session_id, viewer)
    attempt = session.current
    if attempt is None or attempt.status is not AttemptStatus.IN_PROGRESS:
        raise PracticeServiceError(
            "this attempt has ended: answer the coach, retry the moment, or finish the session"
        )


def take_turn(
    kit: PracticeKit,
    session_id: int,
    text: str,
    viewer: Viewer = SYSTEM,
    *,
    via: TurnVia = TurnVia.TEXT,
) -> TurnOutcome:
    """The practitioner says `text`; the prospect answers. At the turn limit the attempt ends
    and is scored."""
    try:
        line = clean_line(text)
    except PracticeError as exc:
        raise PracticeServiceError(str(exc)) from None
    session, scenario = _own_session(kit.store, session_id, viewer)
    attempt = session.current
    if attempt is None or attempt.status is not AttemptStatus.IN_PROGRESS:
        raise PracticeServiceError(
            "this attempt has ended: answer the coach, retry the moment, or finish the session"
        )
    if attempt.turns_left(scenario.turn_limit) == 0:  # pragma: no cover - ended at the limit
        raise PracticeServiceError("the turn limit is reached: end the attempt to be scored")
    with kit.store.unit_of_work() as uow:
        assert attempt.id is not None
        uow.practice.add_turn(attempt.id, TurnSpeaker.PRACTITIONER, line, via)
    session = show_session(kit.store, session_id, viewer)
    current = session.current
    assert current is not None and current.id is not None
    reply = kit.prospect.reply(scenario, current.turns)
    if reply.text:
        with kit.store.unit_of_work() as uow:
            uow.practice.add_turn(current.id, TurnSpeaker.PERSONA, reply.text, via, reply.source)
    ended = current.turns_left(scenario.turn_limit) == 0
    if ended:
        session = end_attempt(kit, session_id, viewer)
    else:
        session = show_session(kit.store, session_id, viewer)
    return TurnOutcome(session, reply, ended)


def _hide_names(text: str, names: list[str]) -> str:
    for name in sorted({n for n in names if n and len(n) > 1}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", "your prospect", text, flags=re.I)
        for part in name.split():
            if len(part) > 2 and part[0].isupper():
                text = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", "your prospect", text)
    return text


def teammate_moment(uow: UnitOfWork, scenario: Scenario) -> coach.Teammate | None:
    """A real level 4-5 moment by a teammate on the scenario's criterion, names hidden."""
    rep_row = uow.people.rep_row(scenario.rep)
    if rep_row is None:
        return None
    found: list[StrongMoment] = uow.practice_moments.strong_moments(
        scenario.rubric_id, scenario.goal.criterion_id, rep_row.id, min_level=STRONG_LEVEL
    )
    for moment in found:
        segments = uow.calls.segments([moment.call_pk], scope=_TEAMMATE).get(moment.call_pk, [])
        by_index = {s.index: s for s in segments}
        focus = by_index.get(moment.segment)
        if focus is None:
            continue
        hidden = [moment.account or "", *moment.contacts]
        hidden += [s.speaker for s in segments if not s.is_rep and persona_name(s.speaker)]
        before = next(
            (
                s.text
                for s in reversed(segments)
                if s.index < moment.segment and s.role.value == "prospect"
            ),
            None,
        )
        return coach.Teammate(
            name=moment.rep,
            level=moment.level,
            prospect_line=_hide_names(before, hidden) if before else None,
            quote=_hide_names(moment.quote, hidden),
        )
    return None


def _names(scenario: Scenario) -> list[str]:
    persona = scenario.persona
    return [n for n in (scenario.rep, persona.name, persona.company) if n]


def end_attempt(kit: PracticeKit, session_id: int, viewer: Viewer = SYSTEM) -> PracticeSession:
    """Score the open attempt on the scenario's criterion and open the coach's debrief."""
    session, scenario = _own_session(kit.store, session_id, viewer)
    attempt = session.current
    if attempt is None or attempt.status is not AttemptStatus.IN_PROGRESS:
        raise PracticeServiceError("there is no attempt in progress to end")
    if not attempt.practitioner_turns:
        raise PracticeServiceError(
            "nothing was said in this attempt: answer the prospect at least once before ending it"
        )
    result: AttemptResult = kit.scorer.score(scenario, attempt)
    assert attempt.id is not None
    with kit.store.unit_of_work() as uow:
        uow.practice.end_attempt(attempt.id)
        uow.practice.save_score(attempt.id, result.status, result.score)
        teammate = teammate_moment(uow, scenario)
    session = show_session(kit.store, session_id, viewer)
    scored = session.current
    assert scored is not None and scored.id is not None
    if result.status is AttemptStatus.SCORED:
        sentences = coach.recall_question(scenario)
        stage = coach.RECALL
    else:
        sentences = coach.unscorable_sentences(scored, result.reason or "")
        stage = coach.RETRY
    opened: dict[str, Any] = {
        "stage": stage,
        "messages": [],
        "teammate": teammate.__dict__ if teammate else None,
        "reason": result.reason,
    }
    debrief = _say(kit, scenario, scored, teammate, opened, sentences)
    with kit.store.unit_of_work() as uow:
        uow.practice.save_debrief(scored.id, debrief)
    return show_session(kit.store, session_id, viewer)


def _say(
    kit: PracticeKit,
    scenario: Scenario,
    attempt: Any,
    teammate: coach.Teammate | None,
    debrief: dict[str, Any],
    sentences: list[Any],
) -> dict[str, Any]:
    evidence = coach.evidence_of(
        scenario,
        attempt,
        teammate,
        debrief.get("self_level"),
        debrief.get("plan"),
        debrief.get("reason"),
    )
    phrased_by = "offline"
    if kit.settings.practice_llm and sentences:
        sentences, stats = coach.phrase(sentences, evidence, _names(scenario), kit.settings)
        phrased_by = "model" if stats["kept"] else "offline"
    message = {
        "by": "coach",
        "stage": debrief["stage"],
        "phrased_by": phrased_by,
        "sentences": coach.checked(sentences, evidence, _names(scenario)),
    }
    return {**debrief, "messages": [*debrief.get("messages", []), message]}


def answer_coach(
    kit: PracticeKit, session_id: int, answer: str, viewer: Viewer = SYSTEM
) -> PracticeSession:
    """The practitioner answers the coach's question; the coach moves to its next step."""
    try:
        said = clean_line(answer)
    except PracticeError:
        raise PracticeServiceError("the answer is empty: tell the coach what you think") from None
    session, scenario = _own_session(kit.store, session_id, viewer)
    attempt = session.current
    if attempt is None or attempt.id is None or not attempt.debrief:
        raise PracticeServiceError("the coach speaks once the attempt has ended")
    debrief = dict(attempt.debrief)
    stage = debrief.get("stage")
    teammate = coach.Teammate(**debrief["teammate"]) if debrief.get("teammate") else None
    messages = [*debrief.get("messages", []), {"by": "rep", "stage": stage, "text": said}]
    debrief["messages"] = messages
    if stage == coach.RECALL:
        debrief["self_level"] = coach.self_level_of(said)
        debrief["stage"] = coach.REFLECT
        sentences = coach.evidence_sentences(scenario, attempt, teammate, debrief["self_level"])
    elif stage == coach.REFLECT:
        debrief["plan"] = said
        debrief["stage"] = coach.RETRY
        sentences = coach.retry_offer(said)
    else:
        raise PracticeServiceError(
            "the coach has asked everything for this attempt: retry the moment or finish"
        )
    debrief = _say(kit, scenario, attempt, teammate, debrief, sentences)
    with kit.store.unit_of_work() as uow:
        uow.practice.save_debrief(attempt.id, debrief)
    return show_session(kit.store, session_id, viewer)


def retry(store: Store, session_id: int, viewer: Viewer = SYSTEM) -> PracticeSession:
    """A new attempt at the same moment (the previous one is kept as it was)."""
    session, _ = _own_session(store, session_id, viewer)
    attempt = session.current
    if attempt is not None and attempt.status is AttemptStatus.IN_PROGRESS:
        raise PracticeServiceError("the current attempt is still in progress: end it first")
    with store.unit_of_work() as uow:
        uow.practice.add_attempt(session_id)
    return show_session(store, session_id, viewer)


def finish_session(store: Store, session_id: int, viewer: Viewer = SYSTEM) -> PracticeSession:
    """End the session. An attempt not started (nothing said yet) is dropped, not kept."""
    session, _ = _own_session(store, session_id, viewer)
    attempt = session.current
    empty = attempt is not None and not attempt.turns
    if attempt is not None and attempt.status is AttemptStatus.IN_PROGRESS and not empty:
        raise PracticeServiceError("the current attempt is still in progress: end it first")
    with store.unit_of_work() as uow:
        if empty and attempt is not None and attempt.id is not None:
            uow.practice.discard_attempt(attempt.id)
        uow.practice.finish_session(session_id)
    return show_session(store, session_id, viewer)
