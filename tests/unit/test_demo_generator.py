"""The demo org: its shape, determinism, timing and the variety of its language."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest

from callcoach.demo import SUPPORTED_CRITERIA, TRUTH_KEY, DemoConfig, DemoConfigError, generate_org
from callcoach.demo.batches import call_batches
from callcoach.demo.model import DEFAULT_CALLS, FULL_CALLS, WorkCalendar
from callcoach.domain.calls import SpeakerRole
from tests.unit.demo_org import END, default_org, rep_sentences, sample_calls


def test_default_org_has_two_managed_teams_of_reps_with_distinct_profiles_and_tenures() -> None:
    org = default_org()
    assert len(org.teams) == 2
    assert len({t.manager for t in org.teams}) == 2
    assert len(org.reps) == 12
    assert {p.rep.team for p in org.reps} == {t.name for t in org.teams}
    assert all(p.rep.start_date is not None and p.rep.email for p in org.reps)
    last_day = org.calendar.days - 1
    tenures = [p.tenure_months(last_day) for p in org.reps]
    assert sum(1 for t in tenures if t < 6) >= 3, "some reps are ramping (under 6 months)"
    assert sum(1 for t in tenures if t > 24) >= 3, "and some are veterans"
    # Distinct profiles: every pair of reps differs clearly on at least one criterion.
    for a, b in itertools.combinations(org.reps, 2):
        assert max(abs(a.skills[c] - b.skills[c]) for c in SUPPORTED_CRITERIA) > 0.5
    # Each criterion has reps who are weak (< 2.5) and reps who are strong (> 3.5) at it.
    for criterion in SUPPORTED_CRITERIA:
        skills = [p.skills[criterion] for p in org.reps]
        assert min(skills) < 2.5 < 3.5 < max(skills), criterion


def test_six_months_of_calls_of_every_type_ending_at_the_end_date() -> None:
    org = default_org()
    assert len(org.call_plans) == DEFAULT_CALLS == 600
    dates = [org.when(p).date() for p in org.call_plans]
    assert max(dates) <= END and END - max(dates) < timedelta(days=5)
    assert timedelta(days=170) < max(dates) - min(dates) < timedelta(days=190)
    assert all(d.weekday() < 5 for d in dates), "calls happen on working days"
    types = Counter(p.call_type for p in org.call_plans)
    assert set(types) == {"discovery", "demo", "negotiation", "closing"}
    assert all(n >= 0.08 * DEFAULT_CALLS for n in types.values()), types
    starts = {p.rep.name: p.rep.start_date for p in org.reps}
    for plan in org.call_plans:
        start = starts[org.reps[plan.rep_index].rep.name]
        assert start is not None and org.when(plan).date() > start, "no calls before the start date"


def test_calls_are_timed_turn_by_turn_with_named_speakers() -> None:
    org = default_org()
    for call in sample_calls():
        assert call.has_timing
        assert call.duration_s is not None and 5 * 60 <= call.duration_s <= 45 * 60
        previous_end = 0.0
        for segment in call.segments:
            assert segment.start is not None and segment.end is not None
            assert previous_end <= segment.start < segment.end, call.external_id
            previous_end = segment.end
        assert call.segments[-1].end is not None and call.segments[-1].end <= call.duration_s
        words = sum(len(s.text.split()) for s in call.segments)
        minutes = call.segments[-1].end / 60
        # A slow-speaking rep with long pauses reads at about 110 (one call of the 600-call org).
        assert 100 < words / minutes < 170, "about 150 words a minute, pauses included"
        assert {s.speaker for s in call.rep_segments} == {call.rep}
        contacts = {c["name"] for c in call.meta["demo"]["contacts"]}
        prospects = {s.speaker for s in call.segments if s.role is SpeakerRole.PROSPECT}
        assert prospects and prospects <= contacts
        assert call.account and call.deal_external_id and call.call_type
    accounts = {org.call(i).account for i in range(0, DEFAULT_CALLS, 20)}
    assert len(accounts) > 20


def test_the_same_seed_gives_the_same_org_and_byte_identical_transcripts() -> None:
    first = generate_org(DemoConfig(seed=21, calls=200, end=END))
    second = generate_org(DemoConfig(seed=21, calls=200, end=END))
    assert [p.rep.name for p in first.reps] == [p.rep.name for p in second.reps]
    assert first.deals == second.deals
    assert first.ratings == second.ratings
    assert first.activities == second.activities
    for index in (0, 77, 199):
        assert first.call(index) == second.call(index)
    other = generate_org(DemoConfig(seed=22, calls=200, end=END))
    assert [p.rep.name for p in other.reps] != [p.rep.name for p in first.reps]


def test_moving_the_end_date_moves_the_dates_but_not_the_words() -> None:
    here = generate_org(DemoConfig(seed=3, calls=120, end=date(2026, 11, 23)))
    later = generate_org(DemoConfig(seed=3, calls=120, end=date(2027, 2, 10)))
    for index in (0, 60, 119):
        a, b = here.call(index), later.call(index)
        assert [s.text for s in a.segments] == [s.text for s in b.segments]
        assert a.date is not None and b.date is not None and a.date < b.date


def test_parallel_writers_write_the_same_calls() -> None:
    """Large runs write transcripts on several processes; the words do not change."""
    org = generate_org(DemoConfig(seed=4, calls=90, end=END))
    alone = [c for batch in call_batches(org, 20, workers=1) for c in batch]
    together = [c for batch in call_batches(org, 20, workers=2, parallel_above=0) for c in batch]
    assert [c.external_id for c in together] == [f"demo-{i + 1:06d}" for i in range(90)]
    assert alone == together


def test_working_day_calendar_counts_back_from_the_end() -> None:
    calendar = WorkCalendar.for_months(date(2026, 11, 22), 6)  # a Sunday
    assert calendar.date_of(calendar.days - 1) == date(2026, 11, 20)  # the Friday before
    assert calendar.date_of(calendar.days - 6) == date(2026, 11, 13)
    assert all(calendar.date_of(i).weekday() < 5 for i in range(-30, calendar.days))


def test_no_two_calls_read_alike() -> None:
    calls = sample_calls()
    sets = [rep_sentences(c) for c in calls]
    overlaps = [
        len(a & b) / min(len(a), len(b)) for a, b in itertools.combinations(sets, 2) if a and b
    ]
    assert max(overlaps) < 0.3, "no pair of calls shares more than a small part of its sentences"
    assert statistics.mean(overlaps) < 0.06
    sentences = [s for c in calls for s in rep_sentences(c)]
    assert len(set(sentences)) > 8000, "thousands of distinct rep sentences in 300 calls"
    assert len(set(sentences)) / len(sentences) > 0.45
    openings = Counter(c.segments[0].text for c in calls)
    assert openings.most_common(1)[0][1] < 5


def test_every_call_carries_its_truth_and_where_it_shows() -> None:
    org = default_org()
    for call in sample_calls()[:60]:
        truth = call.meta[TRUTH_KEY]
        plan = org.call_plans[int(call.external_id.split("-")[1]) - 1]
        assert truth["levels"] == {c: plan.levels[c] for c in org.criteria}
        for criterion, segments in truth["evidence_segments"].items():
            assert segments, f"{call.external_id}: no moment shows {criterion}"
            assert all(call.segments[i].role is SpeakerRole.REP for i in segments)


def test_scale_sizes_reps_and_teams_with_the_calls() -> None:
    big = DemoConfig(calls=100_000)
    assert big.rep_count == 1000 and big.team_count == 80 and big.short_transcripts
    assert DemoConfig().rep_count == 12 and DemoConfig().team_count == 2
    assert not DemoConfig().short_transcripts
    # `demo --full`: the same people with 2.5 times the calls, full-length.
    full = DemoConfig(calls=FULL_CALLS)
    assert (full.rep_count, full.team_count, full.short_transcripts) == (12, 2, False)
    large = generate_org(DemoConfig(calls=FULL_CALLS, end=END))
    assert [(p.rep.name, p.skills) for p in default_org().reps] == [
        (p.rep.name, p.skills) for p in large.reps
    ]
    org = generate_org(DemoConfig(seed=5, calls=3000, end=END))
    assert len(org.call_plans) == 3000 and len(org.reps) == 30
    assert len({p.rep.name for p in org.reps}) == 30
    assert len({a.name for a in org.accounts}) == len(org.accounts)


def test_short_transcripts_keep_every_behaviour_in_fewer_words() -> None:
    org = generate_org(DemoConfig(seed=5, calls=200, end=END, transcripts="short"))
    for index in range(0, 200, 20):
        call = org.call(index)
        assert len(call.segments) < 70
        assert all(call.meta[TRUTH_KEY]["evidence_segments"].values())


def test_impossible_configurations_are_refused_with_the_reason() -> None:
    with pytest.raises(DemoConfigError, match="at least one call"):
        generate_org(DemoConfig(calls=0))
    with pytest.raises(DemoConfigError, match="cannot act out: next_steps"):
        generate_org(DemoConfig(calls=50), criteria=("discovery", "next_steps"))


def test_nothing_in_the_demo_is_dated_after_its_today() -> None:
    """Ratings used to be dated up to 12 days after the demo's last day."""
    org = generate_org(DemoConfig(seed=9, calls=300, end=END))
    today_ends = datetime.combine(END, time(23, 59, 59))
    assert org.ratings
    assert max(r.created_at for r in org.ratings if r.created_at) <= today_ends
    assert max(e.coached_on for e in org.coaching) <= END
    assert max(org.when(p) for p in org.call_plans) <= today_ends
