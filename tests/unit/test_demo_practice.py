"""The demo's practice history and its known effect on later real calls (issue 17 section 4)."""

from __future__ import annotations

import statistics

import pytest

import callcoach.demo.org as demo_org
from callcoach.demo import DemoConfig, generate_org
from callcoach.demo.people import is_ramping
from callcoach.demo.practice import attempt_turns
from callcoach.domain.calls import SpeakerRole

from .demo_org import END, default_org


def test_most_tenured_reps_practise_and_it_carries_over_for_some_only() -> None:
    org = default_org()
    last = org.calendar.days - 1
    assert len(org.practice) >= 5
    carried = [p for p in org.practice if p.carried_over]
    assert 0 < len(carried) < len(org.practice), "both cases, for the report to tell apart"
    for plan in org.practice:
        profile = org.reps[plan.rep_index]
        assert not is_ramping(profile, plan.first_day)
        assert plan.criterion not in {c.criterion for c in profile.coaching}
        assert plan.assigned_day <= plan.first_day <= last - 23 and len(plan.sessions) == 3
        assert all(s.day <= plan.due_day for s in plan.sessions)
        levels = [
            (p.day, p.levels[plan.criterion])
            for p in org.call_plans
            if p.rep_index == plan.rep_index
        ]
        before = [level for day, level in levels if day < plan.first_day]
        after = [level for day, level in levels if day > plan.first_day]
        assert len(before) >= 10 and len(after) >= 10, "enough calls for the 30-day verdict"
        source = org.call_plans[plan.source_call]
        assert source.rep_index == plan.rep_index and source.day < plan.first_day
        assert source.levels[plan.criterion] == min(before), "cut from a low moment"
        if plan.carried_over:
            assert 0.7 <= plan.effect <= 1.0
            assert statistics.mean(after) - statistics.mean(before) > 0.5, profile.rep.name
        else:
            assert abs(statistics.mean(after) - statistics.mean(before)) < 0.35, profile.rep.name


def test_practice_moves_only_the_practised_criterion_after_the_first_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Deals, other reps, other criteria and earlier calls are as they would be without it."""
    config = DemoConfig(seed=5, calls=360, end=END)
    org = generate_org(config)
    monkeypatch.setattr(demo_org, "apply_practice", lambda *args: None)
    without = generate_org(config)
    assert [p.__dict__ for p in org.practice] == [p.__dict__ for p in without.practice]
    assert [d.outcome for d in org.deals] == [d.outcome for d in without.deals]
    practised = {p.rep_index: p for p in org.practice if p.carried_over}
    moved = 0
    for plan, plain in zip(org.call_plans, without.call_plans, strict=True):
        assert (plan.rep_index, plan.day, plan.call_type) == (
            plain.rep_index,
            plain.day,
            plain.call_type,
        )
        changed = {c for c in plan.levels if plan.levels[c] != plain.levels[c]}
        practice = practised.get(plan.rep_index)
        if practice is None or plan.day <= practice.first_day:
            assert not changed
        else:
            assert changed <= {practice.criterion}
            assert plan.levels[practice.criterion] >= plain.levels[practice.criterion]
            moved += bool(changed)
    assert moved >= 5


def test_the_practice_history_is_the_same_for_the_same_seed() -> None:
    first = generate_org(DemoConfig(seed=3, calls=240, end=END))
    again = generate_org(DemoConfig(seed=3, calls=240, end=END))
    other = generate_org(DemoConfig(seed=4, calls=240, end=END))
    assert first.practice and [p.__dict__ for p in first.practice] == [
        p.__dict__ for p in again.practice
    ]
    assert [p.__dict__ for p in first.practice] != [p.__dict__ for p in other.practice]


def test_an_attempt_reads_at_its_level_and_says_enough_to_be_judged() -> None:
    org = default_org()
    plan = org.practice[0]
    source = org.call_plans[plan.source_call]
    account = org.accounts[source.account_index]
    rep = org.reps[plan.rep_index].rep.name
    written = {
        level: attempt_turns(7, rep, source, account.champion, account, plan.criterion, level, "t")
        for level in (1, 2, 3, 4, 5)
    }
    for _level, turns in written.items():
        said = [t for t in turns if t.role is SpeakerRole.REP]
        assert turns[0].role is SpeakerRole.REP, "the rep answers the scenario's line first"
        assert 2 <= len(said) <= 6 and sum(len(t.text.split()) for t in said) >= 25
        assert all(t.tag in (plan.criterion, None) for t in said)
        assert {t.speaker for t in turns if t.role is SpeakerRole.PROSPECT} == {
            account.champion.name
        }
    assert written[2] == attempt_turns(
        7, rep, source, account.champion, account, plan.criterion, 2, "t"
    )
    assert written[1] != written[5]
