"""The demo's hidden truth shows in the words, and drives outcomes, coaching and ratings."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

from callcoach.demo import TRUTH_KEY, DemoConfig, generate_org
from callcoach.demo.model import CallPlan
from callcoach.demo.pipeline import OUTCOME_DRIVERS
from callcoach.domain.calls import Call
from tests.unit.demo_org import END, default_org, sample_calls

SRC = Path(__file__).resolve().parents[2] / "src" / "callcoach"


def _moments(call: Call, criterion: str) -> str:
    segments = call.meta[TRUTH_KEY]["evidence_segments"][criterion]
    return " ".join(call.segments[i].text for i in segments).lower()


def _by_level(criterion: str) -> dict[int, list[Call]]:
    grouped: dict[int, list[Call]] = defaultdict(list)
    for call in sample_calls():
        grouped[call.meta[TRUTH_KEY]["levels"][criterion]].append(call)
    return grouped


def test_urgency_levels_read_as_the_anchors_describe() -> None:
    calls = _by_level("urgency_creation")
    no_rush = ("no rush", "whenever", "no pressure", "timing's not a problem", "don't worry")
    for call in calls[1]:
        assert any(p in _moments(call, "urgency_creation") for p in no_rush), call.external_id
    for call in calls[2]:
        text = _moments(call, "urgency_creation")
        generic = ("percent", "price", "promotion", "offer", "deal", "discount")
        assert any(p in text for p in generic), text
        assert call.meta["demo"]["event"].lower() not in text, "a generic deadline, not theirs"
    for call in calls[4]:
        # The cost of waiting in the prospect's own numbers, tied to their event.
        text = _moments(call, "urgency_creation")
        assert "$" in text and call.meta["demo"]["event"].lower() in text, call.external_id
    for level in (4, 5):
        assert calls[level], f"the sample has urgency level {level}"


def test_objection_handling_follows_the_level_for_every_kind_of_objection() -> None:
    kinds: Counter[str] = Counter()
    for call in sample_calls():
        kinds.update(call.meta[TRUTH_KEY]["objections"])
    assert set(kinds) == {"price", "timing", "authority", "competitor", "status_quo"}
    calls = _by_level("objection_handling")
    for call in calls[4] + calls[5]:
        text = _moments(call, "objection_handling")
        assert "?" in text, "asks what is behind the objection"
        assert any(
            p in text for p in ("does that", "is that", "how does that land", "would that")
        ), text
    for call in calls[5]:
        text = _moments(call, "objection_handling")
        assert any(
            p in text
            for p in (
                "apart from",
                "other than",
                "setting aside",
                "if we solved",
                "if we sorted",
                "suppose we",
            )
        ), text
    for call in calls[1] + calls[2]:
        text = _moments(call, "objection_handling")
        assert "does that answer" not in text and "apart from" not in text


def test_discovery_and_close_levels_show_in_the_words() -> None:
    discovery = _by_level("discovery")
    for call in discovery[1]:
        text = _moments(call, "discovery")
        assert "walk me through" not in text and "what does that cost" not in text
    for call in discovery[4] + discovery[5]:
        assert "?" in _moments(call, "discovery")
    close = _by_level("close_attempt")
    for call in close[1]:
        text = _moments(call, "close_attempt")
        vague = ("let me know", "get back to me", "give me a shout", "reach out")
        assert any(p in text for p in vague), text
    for call in close[5]:
        text = _moments(call, "close_attempt")
        assert any(d in text for d in ("monday", "tuesday", "wednesday", "thursday", "friday"))


def test_better_calls_win_more_deals() -> None:
    org = generate_org(DemoConfig(seed=11, calls=9000, end=END))

    def drive(index: int) -> float:
        return sum(w * org.reps[index].skills[c] for c, w in OUTCOME_DRIVERS.items())

    ranked = sorted(range(len(org.reps)), key=drive)
    third = len(ranked) // 3

    def win_rate(reps: list[int]) -> float:
        outcomes = Counter(d.outcome for d in org.deal_plans if d.rep_index in set(reps))
        return outcomes["won"] / (outcomes["won"] + outcomes["lost"])

    bottom, top = win_rate(ranked[:third]), win_rate(ranked[-third:])
    assert top > bottom + 0.15, (bottom, top)
    # And per call: calls on won deals have better urgency and close attempts than lost ones.
    outcome = {d.index: d.outcome for d in org.deal_plans}
    for criterion in ("urgency_creation", "close_attempt"):
        won = [p.levels[criterion] for p in org.call_plans if outcome[p.deal_index] == "won"]
        lost = [p.levels[criterion] for p in org.call_plans if outcome[p.deal_index] == "lost"]
        assert statistics.mean(won) > statistics.mean(lost) + 0.3, criterion


def test_deals_have_every_outcome_and_dates_consistent_with_their_calls() -> None:
    org = default_org()
    outcomes = Counter(d.outcome.value for d in org.deals)
    assert all(outcomes[o] > 0 for o in ("won", "lost", "open", "stalled")), outcomes
    assert any(d.outcome.value == "lost" and d.verbal_commit_date for d in org.deals)
    calls_of: dict[str, list[CallPlan]] = defaultdict(list)
    for plan in org.call_plans:
        calls_of[org.deal_plans[plan.deal_index].external_id].append(plan)
    for deal in org.deals:
        dates = sorted(org.when(p).date() for p in calls_of[deal.external_id])
        assert dates, deal.external_id
        assert deal.created_date is not None and deal.created_date <= dates[0]
        assert deal.amount and deal.amount > 0 and deal.account and deal.rep
        if deal.close_date is not None:
            assert deal.outcome.is_closed and deal.close_date >= dates[-1]
        if deal.verbal_commit_date is not None:
            assert deal.verbal_commit_date in dates
        assert (
            len(
                {
                    org.call_plans[i].account_index
                    for i in org.deal_plans[int(deal.external_id[-5:]) - 1].calls
                }
            )
            == 1
        )
    assert statistics.mean(len(v) for v in calls_of.values()) > 1.5, "several calls per deal"


def test_coaching_works_for_most_reps_and_visibly_not_for_some() -> None:
    org = default_org()
    last = org.calendar.days - 1
    coached = [p for p in org.reps if p.coaching]
    assert len(coached) >= 5
    improved, flat = 0, 0
    for profile in coached:
        plan = profile.coaching[0]
        assert 40 <= last - plan.day <= 70, "coached two to three months ago"
        assert plan.criterion == profile.weakest
        levels = [
            (p.day, p.levels[plan.criterion])
            for p in org.call_plans
            if p.rep_index == profile.index
        ]
        before = [level for day, level in levels if day < plan.day]
        after = [level for day, level in levels if day > plan.day + 10]
        change = statistics.mean(after) - statistics.mean(before)
        if plan.effect > 0:
            improved += 1
            assert change > 0.4, (profile.rep.name, change)
        else:
            flat += 1
            assert abs(change) < 0.3, (profile.rep.name, change)
    assert improved > flat >= 1
    twice = [p for p in coached if len(p.coaching) == 2]
    assert twice and all(p.coaching[0].criterion == p.coaching[1].criterion for p in twice)
    assert {e.rep for e in org.coaching} == {p.rep.name for p in coached}
    assert all(e.coach in org.managers and e.note for e in org.coaching)


def test_both_managers_rate_the_same_calls_and_disagree_only_where_anchors_are_vague() -> None:
    org = default_org()
    truth = {p.external_id: p.levels for p in org.call_plans}
    pairs: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for rating in org.ratings:
        pairs[(rating.call_id, rating.criterion_id)][rating.rater] = rating.level
    calls = {call for call, _ in pairs}
    assert 50 <= len(calls) <= 60
    assert all(len(raters) == 2 for raters in pairs.values())
    assert {c for _, c in pairs} == set(org.criteria)
    assert {r.rater for r in org.ratings} == set(org.managers)
    gaps = {key: abs(a - b) for key, (a, b) in ((k, tuple(v.values())) for k, v in pairs.items())}
    assert sum(1 for g in gaps.values() if g <= 1) / len(gaps) > 0.9
    wide = Counter(criterion for (_, criterion), gap in gaps.items() if gap >= 2)
    assert set(wide) == {org.vague_criterion} and wide[org.vague_criterion] >= 3
    errors = [abs(r.level - truth[r.call_id][r.criterion_id]) for r in org.ratings]
    assert statistics.mean(errors) < 0.5, "ratings sit around the true level"
    assert any(r.evidence_segment is not None for r in org.ratings)


def test_activity_and_quotas_cover_every_rep() -> None:
    org = default_org()
    days = Counter(a.rep for a in org.activities)
    for profile in org.reps:
        active = org.calendar.days - max(0, profile.start_day)
        assert days[profile.rep.name] == active
    meetings = sum(a.meetings_booked for a in org.activities)
    first_calls = sum(
        1 for p in org.call_plans if p.call_type == "discovery" and p.nth_in_deal == 0
    )
    assert meetings == first_calls
    assert sum(a.proposals_sent for a in org.activities) > 0
    quarters = {(q.period_start, q.period_end) for q in org.quotas}
    assert len(quarters) >= 3
    assert all(
        q.period_start.day == 1 and q.period_start.month in (1, 4, 7, 10) for q in org.quotas
    )
    by_rep = defaultdict(list)
    for quota in org.quotas:
        by_rep[quota.rep].append(quota.amount)
    veteran = max(org.reps, key=lambda p: p.tenure_months(0))
    rookie = min(org.reps, key=lambda p: p.tenure_months(0))
    assert max(by_rep[rookie.rep.name]) < max(by_rep[veteran.rep.name]), (
        "new reps get ramped quotas"
    )


def test_the_scorer_and_the_analytics_never_read_the_truth() -> None:
    for package in ("scoring", "analytics"):
        for path in (SRC / package).rglob("*.py"):
            assert TRUTH_KEY not in path.read_text(encoding="utf-8"), path


def test_different_orgs_differ_in_accounts_and_words() -> None:
    a = generate_org(DemoConfig(seed=1, calls=60, end=date(2026, 1, 30)))
    b = generate_org(DemoConfig(seed=2, calls=60, end=date(2026, 1, 30)))
    assert {x.name for x in a.accounts}.isdisjoint({x.name for x in b.accounts}) or len(
        {x.name for x in a.accounts} & {x.name for x in b.accounts}
    ) < 3
    texts_a = {s.text for s in a.call(0).segments}
    assert not any(texts_a == {s.text for s in b.call(i).segments} for i in range(5))
    assert len(list(itertools.islice(a.calls(), 3))) == 3
