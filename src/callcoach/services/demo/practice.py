"""The demo's practice history, written as real practice is: assignments, scenarios cut from the
reps' own low moments, finished sessions with their attempts, turns and levels.

The generator (callcoach.demo.practice) decides who practised what, when, at which level, and
whether it carried over to real calls (the hidden truth). This step stores it through the same
repositories real practice uses, dated when it happened: a scenario is cut from a real demo call
by the same `cut_moment` as `callcoach practice create`, an assignment is a manager's, and each
attempt's turns are its words.

The attempts' levels are the ones the generator wrote them at, stored as such and flagged: the
score's scorer is `GENERATOR_SCORER` and its rationale says the level was not measured. The
demo writes before anything is scored (generation stays seconds, also with --no-score), and
does not score them afterwards: with the embedded scorer that adds about 20 s on 2 cores.
`score_demo_practice` scores the flagged attempts with a configured scorer, as `callcoach
practice` scores an attempt, replacing the flag with the scorer's level; bench/demo_practice.py
runs it and reports how the scorer's levels agree with the levels written.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from callcoach.demo import TRUTH_KEY, DemoOrg
from callcoach.demo.practice import SESSIONS, TURN_LIMIT, PracticePlan, attempt_turns
from callcoach.domain.access import Scope
from callcoach.domain.assignments import Assignment, AssignmentSource, TargetKind
from callcoach.domain.calls import Call, SpeakerRole
from callcoach.domain.practice import (
    GOAL_LEVEL,
    AttemptScore,
    AttemptStatus,
    Goal,
    OriginalMoment,
    PracticeError,
    PracticeEvidence,
    Scenario,
    ScenarioKind,
    TurnSpeaker,
)
from callcoach.domain.rubric import Rubric
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.common import NoProgress, Progress
from callcoach.services.practice.cutting import CutMoment, cut_moment
from callcoach.services.practice.scoring import PracticeScorer
from callcoach.store.uow import Store, UnitOfWork

GENERATOR_SCORER = "demo-generator"  # the flag: a level the generator chose, not a measurement
GENERATOR_RATIONALE = (
    "Demo practice history: the level the demo generator wrote this attempt at, not a level "
    "measured by a scorer."
)
SECONDS_PER_TURN = 25  # spacing of a written attempt's turns
_DEMO = Scope.system("the demo: the practice history of the organisation it built")


def _moment(call: Call, criterion: str) -> CutMoment | None:
    """The call's first moment on the criterion that can be cut (a rep line answering the
    prospect), from the segments the call was written to show the criterion in."""
    for segment in call.meta[TRUTH_KEY]["evidence_segments"].get(criterion) or []:
        try:
            return cut_moment(call, segment)
        except PracticeError:
            continue
    return None


def _scenario(
    org: DemoOrg, plan: PracticePlan, rubric: Rubric, version: int
) -> tuple[Scenario, Call] | None:
    call = org.call(plan.source_call)
    moment = _moment(call, plan.criterion)
    if moment is None:
        return None
    criterion = rubric.criterion(plan.criterion)
    scenario = Scenario(
        id=None,
        kind=ScenarioKind.MOMENT,
        rep=org.reps[plan.rep_index].rep.name,
        title=f"{criterion.name}: {moment.opening_line[:80]}",
        persona=moment.persona,
        context=moment.context,
        opening_line=moment.opening_line,
        goal=Goal(criterion.id, criterion.name, criterion.anchor(GOAL_LEVEL)),
        rubric_id=rubric.id,
        rubric_version=version,
        turn_limit=TURN_LIMIT,
        # The call's level is known once it is scored; the demo does not show the truth here.
        original=OriginalMoment(call.external_id, moment.rep_segment, None, moment.rep_line),
        origin={
            "from": "demo",
            "call": call.external_id,
            "segment": moment.rep_segment,
            "start": moment.start,
        },
        created_by=plan.assigned_by,
    )
    return scenario, call


def _write_plan(
    uow: UnitOfWork,
    org: DemoOrg,
    plan: PracticePlan,
    rep_pk: int,
    rubric_pk: int,
    rubric: Rubric,
    version: int,
) -> int:
    """One rep's assignment, scenario and sessions; the number of attempts written."""
    made = _scenario(org, plan, rubric, version)
    if made is None:
        return 0
    scenario, call = made
    profile = org.reps[plan.rep_index]
    calendar = org.calendar
    assigned_at = calendar.at(plan.assigned_day, 8 * 60 + 30)
    uow.assignments.add(
        Assignment(
            id=None,
            rep=profile.rep.name,
            rubric=rubric.id,
            target_kind=TargetKind.CRITERION,
            target=plan.criterion,
            sessions=SESSIONS,
            due=calendar.date_of(plan.due_day),
            source=AssignmentSource.MANAGER,
            assigned_by=plan.assigned_by,
            assigned_on=assigned_at.date(),
            note=f"Practise the moment from your call {call.external_id}, then retry it.",
        ),
        rep_pk=rep_pk,
        rubric_pk=rubric_pk,
    )
    source_pk = uow.calls.row(call.external_id, scope=_DEMO)
    scenario_id = uow.practice.create_scenario(
        scenario,
        rep_pk=rep_pk,
        rubric_pk=rubric_pk,
        source_call_pk=source_pk.id if source_pk else None,
        at=assigned_at,
    )
    source = org.call_plans[plan.source_call]
    account = org.accounts[source.account_index]
    prospect = next(
        (
            c
            for c in (account.champion, account.buyer, account.tech)
            if c.name == scenario.persona.name
        ),
        account.champion,
    )
    written = 0
    for number, session in enumerate(plan.sessions, start=1):
        started = calendar.at(session.day, session.attempts[0].minute)
        session_id = uow.practice.create_session(
            scenario_id, rep_pk, profile.rep.email or profile.rep.name, at=started
        )
        at = started
        for position, attempt in enumerate(session.attempts, start=1):
            at = max(at, calendar.at(session.day, attempt.minute))
            attempt_id, _ = uow.practice.add_attempt(session_id, at=at)
            turns = attempt_turns(
                org.config.seed,
                profile.rep.name,
                source,
                prospect,
                account,
                plan.criterion,
                attempt.level,
                key=f"{plan.rep_index}/{number}/{position}",
            )
            evidence = []
            for turn in turns:
                at += timedelta(seconds=SECONDS_PER_TURN)
                rep = turn.role is SpeakerRole.REP
                speaker = TurnSpeaker.PRACTITIONER if rep else TurnSpeaker.PERSONA
                index = uow.practice.add_turn(attempt_id, speaker, turn.text, at=at)
                if rep and turn.tag == plan.criterion:
                    evidence.append(PracticeEvidence(index, turn.text))
            uow.practice.end_attempt(attempt_id, at=at)
            uow.practice.save_score(
                attempt_id,
                AttemptStatus.SCORED,
                AttemptScore(
                    criterion_id=plan.criterion,
                    level=attempt.level,
                    confidence=1.0,
                    rationale=GENERATOR_RATIONALE,
                    evidence=tuple(evidence),
                    scorer=GENERATOR_SCORER,
                    scorer_version=f"seed {org.config.seed}",
                ),
                at=at,
            )
            written += 1
        uow.practice.finish_session(session_id, at=at + timedelta(minutes=1))
    return written


def write_practice_history(
    uow: UnitOfWork, org: DemoOrg, rep_ids: dict[str, int], rubric_pk: int
) -> int:
    """Store the org's practice history (in the demo's transaction); the attempts written."""
    stored = uow.rubrics.latest(org.rubric_id)
    if stored is None or not org.practice:
        return 0
    attempts = 0
    for plan in org.practice:
        rep_pk = rep_ids[org.reps[plan.rep_index].rep.name]
        attempts += _write_plan(uow, org, plan, rep_pk, rubric_pk, stored.rubric, stored.version)
    return attempts


@dataclass
class PracticeScoring:
    """What `score_demo_practice` did: attempts scored, those the scorer could not judge (they
    keep the generator's flagged level), and how the scorer's levels compare with the levels
    the attempts were written at."""

    scorer: str
    scored: int = 0
    unscorable: int = 0
    exact: int = 0
    within_one: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "scorer": self.scorer,
            "scored": self.scored,
            "unscorable": self.unscorable,
            "exact": self.exact,
            "within_one": self.within_one,
            "seconds": round(self.seconds, 2),
        }


def score_demo_practice(
    store: Store, scorer_config: ScorerConfig, progress: Progress | None = None
) -> PracticeScoring:
    """Score every flagged demo attempt with the configured scorer, as `callcoach practice`
    scores an attempt (same scorer, same teaching, the practitioner's lines only); its level
    replaces the generator's. An attempt the scorer cannot judge keeps the flagged level."""
    progress = progress or NoProgress()
    started = time.perf_counter()
    scorer = PracticeScorer(store, scorer_config)
    with store.unit_of_work() as uow:
        records = [
            r for r in uow.practice.attempt_records(scope=_DEMO) if r.status is AttemptStatus.SCORED
        ]
        sessions = {r.session_id for r in records}
        found = [uow.practice.session_of(s, scope=_DEMO) for s in sorted(sessions)]
        scenarios = {}
        for session in found:
            if session is not None and session.scenario_id not in scenarios:
                scenarios[session.scenario_id] = uow.practice.scenario(
                    session.scenario_id, scope=_DEMO
                )
    flagged = [
        (scenarios[s.scenario_id], a)
        for s in found
        if s is not None
        for a in s.attempts
        if a.score is not None and a.score.scorer == GENERATOR_SCORER
    ]
    result = PracticeScoring(scorer_config.name)
    progress.start("Scoring the demo's practice attempts", len(flagged))
    for scenario, attempt in flagged:
        assert scenario is not None and attempt.id is not None and attempt.score is not None
        outcome = scorer.score(scenario, attempt)
        written = attempt.score.level
        if outcome.status is AttemptStatus.SCORED and outcome.score is not None:
            with store.unit_of_work() as uow:
                uow.practice.save_score(
                    attempt.id, outcome.status, outcome.score, at=attempt.ended_at
                )
            result.scored += 1
            level = outcome.score.level
            if level is not None and written is not None:
                result.exact += level == written
                result.within_one += abs(level - written) <= 1
        else:
            result.unscorable += 1
        progress.advance(1)
    result.seconds = time.perf_counter() - started
    return result
