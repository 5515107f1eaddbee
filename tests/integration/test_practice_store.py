"""The practice store on both backends: scenarios, sessions, attempts and turns round-trip, and
every read is scoped in SQL (a rep sees only their own; a manager only their teams')."""

from __future__ import annotations

import pytest

from callcoach.domain.access import SYSTEM, Role, Scope, Viewer
from callcoach.domain.practice import (
    AttemptScore,
    AttemptStatus,
    ContextLine,
    Goal,
    OriginalMoment,
    Persona,
    PracticeError,
    PracticeEvidence,
    Scenario,
    ScenarioKind,
    SessionStatus,
    TurnSpeaker,
    TurnVia,
)
from callcoach.store.uow import Store
from tests.e2e.web_org import RUBRIC, build_small_org

EVERYONE = Scope.system("test: read the whole organisation")

ANA = Viewer("ana", Role.REP, rep="Ana Alvarez")
CARA = Viewer("cara", Role.REP, rep="Cara Chen")
MIA = Viewer("mia", Role.MANAGER, teams=frozenset({"East"}))
WES = Viewer("wes", Role.MANAGER, teams=frozenset({"West"}))


def _scenario(rep: str, kind: ScenarioKind = ScenarioKind.MOMENT) -> Scenario:
    return Scenario(
        id=None,
        kind=kind,
        rep=rep,
        title="Price objection",
        persona=Persona("Prospect", None, "Alvarez Account 1", ("month end",), ("price",)),
        context=(ContextLine(TurnSpeaker.PRACTITIONER, "Rep", "Would you sign this week?"),),
        opening_line="The price seems high compared to what we pay now.",
        goal=Goal("objection_handling", "Objection handling", "Acknowledges and quantifies"),
        rubric_id=RUBRIC,
        rubric_version=1,
        original=OriginalMoment("ana-1", 7, 2, "Compared to two lost days a month"),
        origin={"from": "call"},
        created_by="mia",
    )


def _create(store: Store, rep: str, kind: ScenarioKind = ScenarioKind.MOMENT) -> int:
    with store.unit_of_work() as uow:
        rep_row = uow.people.rep_row(rep)
        rubric = uow.rubrics.rubric_row(RUBRIC)
        call = uow.calls.row("ana-1", scope=EVERYONE)
        assert rep_row and rubric and call
        return uow.practice.create_scenario(
            _scenario(rep, kind),
            rep_pk=rep_row.id,
            rubric_pk=rubric.id,
            source_call_pk=call.id,
        )


@pytest.fixture
def org(store: Store) -> Store:
    build_small_org(store, calls_per_rep=1, with_users=False)
    return store


def test_a_session_round_trips_with_attempts_turns_and_scores(org: Store) -> None:
    scenario_id = _create(org, "Ana Alvarez")
    with org.unit_of_work() as uow:
        rep_pk = uow.practice.scenario_rep_pk(scenario_id, scope=uow.people.scope_for(SYSTEM))
        assert rep_pk is not None
        session_id = uow.practice.create_session(scenario_id, rep_pk, "ana")
        first, number = uow.practice.add_attempt(session_id)
        assert number == 1
        uow.practice.add_turn(first, TurnSpeaker.PRACTITIONER, "What does month end cost you?")
        uow.practice.add_turn(
            first, TurnSpeaker.PERSONA, "Two days.", source={"call": "x", "segments": [3]}
        )
        uow.practice.end_attempt(first)
        score = AttemptScore(
            "objection_handling", 3, 0.6, "asked", (PracticeEvidence(0, "month end"),), "fake", "1"
        )
        uow.practice.save_score(first, AttemptStatus.SCORED, score)
        uow.practice.save_debrief(first, {"steps": ["recall"]})
        second, number = uow.practice.add_attempt(session_id)
        assert number == 2
        uow.practice.add_turn(second, TurnSpeaker.PRACTITIONER, "Say more.", TurnVia.VOICE)
    with org.unit_of_work() as uow:
        scope = uow.people.scope_for(ANA)
        session = uow.practice.session_of(session_id, scope=scope)
        assert session is not None and session.status is SessionStatus.OPEN
        assert [a.number for a in session.attempts] == [1, 2]
        one, two = session.attempts
        assert [t.text for t in one.turns] == ["What does month end cost you?", "Two days."]
        assert one.turns[1].source == {"call": "x", "segments": [3]}
        assert one.score == score and one.status is AttemptStatus.SCORED
        assert one.debrief == {"steps": ["recall"]}
        assert two.turns[0].via is TurnVia.VOICE and two.status is AttemptStatus.IN_PROGRESS
        assert session.best_level == 3
        [summary] = uow.practice.sessions(scope=scope)
        assert (summary.attempts, summary.best_level, summary.last_level) == (2, 3, None)
        scenario = uow.practice.scenario(scenario_id, scope=scope)
        assert scenario is not None and scenario.original.call_id == "ana-1"
        assert scenario.persona.cares_about == ("month end",)
        records = uow.practice.attempt_records(scope=scope)
        assert [(r.number, r.level, r.criterion_id) for r in records] == [
            (1, 3, "objection_handling"),
            (2, None, "objection_handling"),
        ]


def test_every_read_is_scoped_to_the_viewer(org: Store) -> None:
    ana = _create(org, "Ana Alvarez")
    cara = _create(org, "Cara Chen")
    rehearsal = _create(org, "Ana Alvarez", ScenarioKind.REHEARSAL)
    with org.unit_of_work() as uow:
        for scenario_id, rep in ((ana, "Ana Alvarez"), (cara, "Cara Chen")):
            rep_row = uow.people.rep_row(rep)
            assert rep_row is not None
            uow.practice.create_session(scenario_id, rep_row.id, "x")
    with org.unit_of_work() as uow:

        def visible(viewer: Viewer) -> tuple[set[int], set[str]]:
            scope = uow.people.scope_for(viewer)
            scenarios = {s.id for s in uow.practice.scenarios(scope=scope) if s.id is not None}
            return scenarios, {s.rep for s in uow.practice.sessions(scope=scope)}

        assert visible(ANA) == ({ana}, {"Ana Alvarez"})
        assert visible(CARA) == ({cara}, {"Cara Chen"})
        assert visible(MIA) == ({ana, rehearsal}, {"Ana Alvarez"})
        assert visible(WES) == ({cara}, {"Cara Chen"})
        assert visible(SYSTEM)[0] == {ana, cara, rehearsal}
        # Outside the scope is exactly like not existing.
        assert uow.practice.scenario(cara, scope=uow.people.scope_for(ANA)) is None
        assert uow.practice.scenario(rehearsal, scope=uow.people.scope_for(ANA)) is None


def test_a_manager_edits_a_scenario_and_bad_values_are_refused(org: Store) -> None:
    scenario_id = _create(org, "Ana Alvarez")
    with org.unit_of_work() as uow:
        uow.practice.update_scenario(scenario_id, {"difficulty": 3, "title": "Harder"}, "mia")
        with pytest.raises(ValueError, match="not editable"):
            uow.practice.update_scenario(scenario_id, {"rep_id": 2}, "mia")
    with org.unit_of_work() as uow:
        scenario = uow.practice.scenario(scenario_id, scope=uow.people.scope_for(MIA))
        assert scenario is not None
        assert (scenario.difficulty, scenario.title, scenario.updated_by) == (3, "Harder", "mia")
    bad = _scenario("Ana Alvarez")
    with pytest.raises(PracticeError, match="difficulty"):
        Scenario(**{**bad.__dict__, "difficulty": 5}).check()
