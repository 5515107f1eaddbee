"""Assessment services on both backends: the numbers, the level rule, and who sees what."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest

from callcoach.domain.access import Role, Viewer
from callcoach.services.assessment.agreement import build_agreement
from callcoach.services.assessment.coaching import (
    add_coaching_event,
    build_coaching_report,
    list_coaching_events,
)
from callcoach.services.assessment.outcomes import build_outcomes
from callcoach.services.assessment.query import AssessmentQuery
from callcoach.services.assessment.sampling import draw_sample
from callcoach.services.assessment.scorecards import build_priorities, build_scorecards
from callcoach.services.assessment.signals import build_signals, call_signals_report
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.store.uow import Store
from tests.assessment_data import CRITERIA, World

Q2 = datetime(2026, 4, 1)
Q1 = datetime(2026, 1, 1)
REPS = {"Ann": "East", "Bob": "East", "Cid": "West"}
# Levels per rep per criterion in Q2 (each call gets exactly these, so means are known).
LEVELS = {
    "Ann": [
        {
            "urgency_creation": 2,
            "discovery": 4,
            "objection_handling": 3,
            "close_attempt": 3,
            "process_adherence": 3,
        },
        {
            "urgency_creation": 3,
            "discovery": 4,
            "objection_handling": 3,
            "close_attempt": 3,
            "process_adherence": 2,
        },
    ],
    "Bob": [
        {
            "urgency_creation": 4,
            "discovery": 3,
            "objection_handling": 4,
            "close_attempt": 2,
            "process_adherence": 4,
        },
        {
            "urgency_creation": 5,
            "discovery": 3,
            "objection_handling": 4,
            "close_attempt": 3,
            "process_adherence": 4,
        },
    ],
    "Cid": [
        {
            "urgency_creation": 3,
            "discovery": 3,
            "objection_handling": 3,
            "close_attempt": 3,
            "process_adherence": 3,
        },
        {
            "urgency_creation": 3,
            "discovery": 3,
            "objection_handling": 3,
            "close_attempt": 3,
            "process_adherence": 3,
        },
    ],
}
QUERY = AssessmentQuery(rubric="test-rubric", cycle="2026-Q2")


def build_world(store: Store) -> World:
    """Each rep: 12 calls in Q2 alternating two level profiles, 4 calls in Q1 at level 1."""
    world = World(store)
    world.rubric()
    for rep, team in REPS.items():
        world.rep(rep, team, manager="Maria" if team == "East" else "Omar")
    for rep in REPS:
        for i in range(12):
            call_id = f"{rep}-q2-{i}"
            world.call(call_id, rep, Q2 + timedelta(days=3 * i + 1), deal=f"{rep}-deal-{i % 4}")
            world.score(call_id, LEVELS[rep][i % 2])
        for i in range(4):
            call_id = f"{rep}-q1-{i}"
            world.call(call_id, rep, Q1 + timedelta(days=10 * i + 1))
            world.score(call_id, dict.fromkeys(CRITERIA, 1))
    # Deals: Ann wins 1 of 4, Bob 3 of 4, Cid 2 of 4.
    wins = {"Ann": 1, "Bob": 3, "Cid": 2}
    for rep, won in wins.items():
        for i in range(4):
            world.deal(f"{rep}-deal-{i}", "won" if i < won else "lost", rep=rep)
    return world


def expected_mean(rep: str, crit: str) -> float:
    return float(np.mean([profile[crit] for profile in LEVELS[rep]]))


def weighted(levels: dict[str, float]) -> float:
    return sum(levels[c] * w for c, w in CRITERIA.items()) / 100


def test_scorecard_numbers(store: Store) -> None:
    build_world(store)
    report = build_scorecards(store, QUERY)
    assert report.cycle.label == "2026-Q2" and report.scorer == "fake"
    cards = {c.rep: c for c in report.reps}
    ann = cards["Ann"]
    assert ann.calls == 12 and ann.enough_calls
    for line in ann.criteria:
        assert line.mean == pytest.approx(expected_mean("Ann", line.criterion_id))
        assert line.n == 12
        team = (
            expected_mean("Ann", line.criterion_id) + expected_mean("Bob", line.criterion_id)
        ) / 2
        assert line.team_mean == pytest.approx(team)
        assert line.previous_mean == pytest.approx(1.0)
        values = [LEVELS["Ann"][i % 2][line.criterion_id] for i in range(12)]
        if np.std(values) > 0:
            half = 2.200985160082949 * np.std(values, ddof=1) / np.sqrt(12)  # t(0.975, 11)
            assert line.ci_low == pytest.approx(line.mean - half)
    overall = np.mean([weighted(p) for p in LEVELS["Ann"]])
    assert ann.overall == pytest.approx(overall)
    assert ann.overall_change == pytest.approx(overall - 1.0)
    assert (ann.close_rate.won, ann.close_rate.closed) == (1, 4)
    assert (ann.team_close_rate.won, ann.team_close_rate.closed) == (4, 8)
    assert ann.close_rate_text.startswith(
        "your close rate 25% (1 of 4 closed deals) vs the team's 50%"
    )
    east = next(t for t in report.teams if t.team == "East")
    assert east.top_vs_bottom is not None and east.top_vs_bottom.metric == "win rate"
    assert [r.rep for r in east.top_vs_bottom.top] == ["Bob"]
    gaps = {g.criterion_id: g.gap for g in east.top_vs_bottom.gaps}
    assert gaps["urgency_creation"] == pytest.approx(4.5 - 2.5)
    assert east.top_vs_bottom.gaps[0].criterion_id == "urgency_creation"  # largest gap first


def test_a_managers_override_replaces_the_machine_level(store: Store) -> None:
    world = build_world(store)
    world.rating("Ann-q2-0", "Maria", "urgency_creation", 5, source="override")
    world.rating(
        "Ann-q2-1", "Maria", "urgency_creation", 5, source="import"
    )  # a rating, not an override
    report = build_scorecards(store, QUERY)
    ann = next(c for c in report.reps if c.rep == "Ann")
    urgency = next(c for c in ann.criteria if c.criterion_id == "urgency_creation")
    values = [LEVELS["Ann"][i % 2]["urgency_creation"] for i in range(12)]
    values[0] = 5
    assert urgency.mean == pytest.approx(np.mean(values))
    assert report.overridden_levels == 1


def test_priorities_with_moments_and_what_good_looks_like(store: Store) -> None:
    build_world(store)
    report = build_priorities(
        store, AssessmentQuery(rubric="test-rubric", cycle="2026-Q2", rep="Ann")
    )
    (ann,) = report.reps
    first = ann.priorities[0]
    assert first.criterion_id == "urgency_creation"  # gap 1.5 x 25% beats the rest
    assert first.weighted_gap == pytest.approx((4.5 - 2.5) / 2 * 0.25 + 0 * 0)  # team 3.5, Ann 2.5
    assert first.what_good_looks_like == "urgency_creation level 4 behaviour"
    assert len(first.moments) == 3
    assert all(m.level == 2 for m in first.moments)  # the level-2 calls, not the level-3 ones
    assert first.moments[0].date is not None and first.moments[0].quote.startswith(
        "What does it cost"
    )
    assert first.moments[0].timestamp == 11.0


def test_viewers_see_only_their_reps_and_unknown_equals_invisible(store: Store) -> None:
    build_world(store)
    maria = Viewer("maria", Role.MANAGER, teams=frozenset({"East"}))
    report = build_scorecards(store, QUERY, viewer=maria)
    assert {c.rep for c in report.reps} == {"Ann", "Bob"}
    assert [t.team for t in report.teams] == ["East"]
    cid = Viewer("cid", Role.REP, rep="Cid")
    mine = build_priorities(store, QUERY, viewer=cid)
    assert [r.rep for r in mine.reps] == ["Cid"]
    for viewer in (maria, cid):
        with pytest.raises(NotFoundError, match="no rep 'Nobody'"):
            build_scorecards(
                store, AssessmentQuery(rubric="test-rubric", rep="Nobody"), viewer=viewer
            )
    with pytest.raises(NotFoundError, match="no rep 'Cid'"):
        build_scorecards(store, AssessmentQuery(rubric="test-rubric", rep="Cid"), viewer=maria)
    ann_view = build_scorecards(store, QUERY, viewer=Viewer("ann", Role.REP, rep="Ann"))
    (card,) = ann_view.reps
    assert card.team_close_rate.closed == 8  # the team's rate still uses Bob's deals


def test_unknown_rubric_and_scorer_are_explained(store: Store) -> None:
    build_world(store)
    with pytest.raises(NotFoundError, match="no rubric 'nope'"):
        build_scorecards(store, AssessmentQuery(rubric="nope"))
    with pytest.raises(ServiceError, match="no calls scored by 'llm'"):
        build_scorecards(store, AssessmentQuery(rubric="test-rubric", scorer="llm"))


def test_default_cycle_is_the_latest_quarter_with_scored_calls(store: Store) -> None:
    build_world(store)
    report = build_scorecards(store, AssessmentQuery(rubric="test-rubric"))
    assert report.cycle.label == "2026-Q2" and report.previous_cycle.label == "2026-Q1"


def test_sample_and_flag(store: Store) -> None:
    build_world(store)
    report = draw_sample(store, AssessmentQuery(rubric="test-rubric", cycle="2026-Q1"), seed=4)
    for line in report.reps:
        assert line.scored_calls == 4 and len(line.calls) == 4
        assert line.flag is not None and "not enough calls" in line.flag
    q2 = draw_sample(store, QUERY, seed=4)
    assert all(len(line.calls) == 10 and line.flag is None for line in q2.reps)
    assert draw_sample(store, QUERY, seed=4).reps[0].calls == q2.reps[0].calls


def test_agreement_and_machine_vs_human(store: Store) -> None:
    world = build_world(store)
    for i in range(6):
        call = f"Ann-q2-{i}"
        machine = LEVELS["Ann"][i % 2]["discovery"]
        world.rating(call, "Maria", "discovery", machine)
        world.rating(call, "Omar", "discovery", machine if i < 4 else 1)
    report = build_agreement(store, AssessmentQuery(rubric="test-rubric"))
    discovery = next(a for a in report.human if a.criterion_id == "discovery")
    assert discovery.calls == 6
    assert discovery.exact.value == pytest.approx(4 / 6)
    assert discovery.within_one.value == pytest.approx(4 / 6)
    assert discovery.meets_target is False and discovery.flag is not None
    assert {d.call_id for d in discovery.disagreements} == {"Ann-q2-4", "Ann-q2-5"}
    assert report.flagged == ["discovery"]
    maria = next(c for c in report.machine if c.rater == "Maria")
    vs = next(a for a in maria.criteria if a.criterion_id == "discovery")
    assert vs.exact.value == 1.0  # Maria gave the machine's levels
    assert vs.pairs[0].kappa.value is None and "no variance" in (vs.pairs[0].kappa.reason or "")


def test_outcomes_per_deal(store: Store) -> None:
    build_world(store)
    report = build_outcomes(store, QUERY)
    assert (report.deals, report.won, report.lost) == (12, 6, 6)
    assert any("only 6 won deal(s)" in w for w in report.warnings)
    urgency = next(line for line in report.criteria if line.criterion_id == "urgency_creation")
    # deal i of a rep gets calls i, i+4, i+8: all of profile i % 2. Won: Ann 1, Bob 3, Cid 2.
    x = np.array([2, 3, 2, 3] + [4, 5, 4, 5] + [3] * 4, dtype=float)
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0])
    assert urgency.relation.correlation.value == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert urgency.current_weight == 25


def test_coaching_loop_detects_improvement(store: Store) -> None:
    world = World(store)
    world.rubric()
    world.rep("Dan", "East", manager="Maria")
    start = datetime(2026, 1, 5)
    for i in range(10):  # before coaching on Feb 1: discovery 2
        world.call(f"before-{i}", "Dan", start + timedelta(days=2 * i))
        world.score(f"before-{i}", {**dict.fromkeys(CRITERIA, 3), "discovery": 2})
    for i in range(10):  # after: discovery 3
        world.call(f"after-{i}", "Dan", datetime(2026, 2, 2) + timedelta(days=2 * i))
        world.score(f"after-{i}", {**dict.fromkeys(CRITERIA, 3), "discovery": 3})
    event = add_coaching_event(
        store, "test-rubric", "Dan", "discovery", date(2026, 2, 1), note="practise questions"
    )
    assert event.coach == "Maria"  # the rep's manager
    assert [e.id for e in list_coaching_events(store, "test-rubric")] == [event.id]
    early = build_coaching_report(
        store, AssessmentQuery(rubric="test-rubric"), as_of=date(2026, 2, 20)
    )
    assert early.events[0].message.startswith("too early: re-score after 2026-03-03")
    report = build_coaching_report(
        store, AssessmentQuery(rubric="test-rubric"), as_of=date(2026, 3, 10)
    )
    (outcome,) = report.events
    assert outcome.status == "improved" and outcome.change == pytest.approx(1.0)
    assert report.managers[0].manager == "Maria" and report.managers[0].verdict == "working"
    with pytest.raises(ServiceError, match="no criterion 'charm'"):
        add_coaching_event(store, "test-rubric", "Dan", "charm", date(2026, 2, 1))
    with pytest.raises(ServiceError):
        add_coaching_event(
            store,
            "test-rubric",
            "Dan",
            "discovery",
            date(2026, 2, 1),
            viewer=Viewer("dan", Role.REP, rep="Dan"),
        )


def test_signals_per_rep_and_call(store: Store) -> None:
    world = build_world(store)
    world.call("untimed", "Ann", Q2 + timedelta(days=5), timed=False)
    report = build_signals(store, AssessmentQuery(rubric="test-rubric", cycle="2026-Q2", rep="Ann"))
    (ann,) = report.reps
    assert ann.summary.calls == 13 and ann.summary.calls_without_timing == 1
    assert ann.summary.means["talk_ratio"] == pytest.approx(0.5)
    assert any("no segment timing" in n for n in report.notes)
    one = call_signals_report(store, "untimed")
    assert one.calls[0].omitted is not None
    with pytest.raises(NotFoundError):
        call_signals_report(store, "Ann-q2-0", viewer=Viewer("cid", Role.REP, rep="Cid"))


def test_top_vs_bottom_uses_quota_attainment_where_quotas_exist(store: Store) -> None:
    from callcoach.domain.calls import Quota

    build_world(store)
    with store.unit_of_work() as uow:
        for rep, amount in (("Ann", 1000.0), ("Bob", 10000.0)):
            row = uow.people.rep_row(rep)
            assert row is not None
            uow.deals.upsert_quota(Quota(rep, date(2026, 4, 1), date(2026, 6, 30), amount), row.id)
        for name, rep, amount in (("q-ann", "Ann", 900.0), ("q-bob", "Bob", 1000.0)):
            row = uow.people.rep_row(rep)
            assert row is not None
            from callcoach.domain.calls import Deal, DealOutcome

            uow.deals.upsert(
                Deal(name, amount=amount, outcome=DealOutcome.WON, close_date=date(2026, 5, 1)),
                row.id,
                "test",
            )
    report = build_scorecards(store, QUERY)
    east = next(t for t in report.teams if t.team == "East")
    assert east.top_vs_bottom is not None and east.top_vs_bottom.metric == "quota attainment"
    # Ann reached 90% of her quota, Bob 10%: by attainment Ann is the top half, unlike by wins.
    assert [(r.rep, r.value) for r in east.top_vs_bottom.top] == [("Ann", pytest.approx(0.9))]
    assert [r.rep for r in east.top_vs_bottom.bottom] == ["Bob"]


def test_two_cycles_without_a_related_criterion_say_the_rubric_may_be_wrong(store: Store) -> None:
    world = World(store)
    world.rubric()
    world.rep("Eve", "East")
    for quarter_start in (Q1, Q2):
        for i in range(16):
            call_id = f"eve-{quarter_start.month}-{i}"
            deal = f"{call_id}-deal"
            world.call(call_id, "Eve", quarter_start + timedelta(days=4 * i + 1), deal=deal)
            # levels cycle 1..4 while outcomes alternate: nothing relates to winning.
            world.score(call_id, dict.fromkeys(CRITERIA, 1 + (i // 2) % 4))
            world.deal(deal, "won" if i % 2 else "lost", rep="Eve")
    report = build_outcomes(store, QUERY)
    assert not report.related_now and report.related_previous is False
    assert any("the rubric may be measuring the wrong behaviours" in w for w in report.warnings)
    assert report.suggested_weights is None


def test_a_rubric_of_more_than_ten_criteria_reads_every_level(store: Store) -> None:
    weights = {f"c{k:02d}": (9 if k < 4 else 8) for k in range(12)}
    world = World(store)
    world.rubric(weights)
    world.rep("Ann", "East")
    for i in range(3):
        world.call(f"wide-{i}", "Ann", Q2 + timedelta(days=i))
        world.score(f"wide-{i}", {c: 1 + (k + i) % 5 for k, c in enumerate(weights)})
    report = build_scorecards(store, AssessmentQuery(rubric="test-rubric", cycle="2026-Q2"))
    means = {c.criterion_id: c.mean for c in report.reps[0].criteria}
    assert means == {
        c: pytest.approx(np.mean([1 + (k + i) % 5 for i in range(3)]))
        for k, c in enumerate(weights)
    }


def test_one_read_assessment_gives_the_same_numbers(store: Store) -> None:
    from dataclasses import asdict

    from callcoach.services.assessment.scorecards import build_assessment

    build_world(store)
    together = build_assessment(store, QUERY)
    assert asdict(together.scorecards) == asdict(build_scorecards(store, QUERY))
    assert asdict(together.priorities) == asdict(build_priorities(store, QUERY))
