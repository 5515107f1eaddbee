"""The demo written into a real store (SQLite and PostgreSQL): counts, links, replacement, refusal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from callcoach.demo import TRUTH_KEY
from callcoach.domain.access import Scope
from callcoach.domain.calls import Call, Segment, SpeakerRole
from callcoach.services.common import NotFoundError
from callcoach.services.demo.setup import DemoOptions, DemoRefusedError, generate_demo
from callcoach.services.rubrics.catalog import install_templates
from callcoach.store.models import (
    ActivityRow,
    CallRow,
    CoachingEventRow,
    DealRow,
    HumanRatingRow,
    QuotaRow,
    RepRow,
    SegmentRow,
    TeamRow,
)
from callcoach.store.uow import Store

EVERYONE = Scope.system("test: read the whole organisation")

END = date(2026, 11, 23)


def count(store: Store, model: Any) -> int:
    with store.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def ready(store: Store) -> Store:
    install_templates(store)
    return store


def test_the_demo_lands_whole_and_linked(ready: Store) -> None:
    summary = generate_demo(ready, DemoOptions(seed=7, calls=160, end=END))
    assert summary.calls == count(ready, CallRow) == 160
    assert summary.segments == count(ready, SegmentRow)
    assert count(ready, RepRow) == 12 and count(ready, TeamRow) == 2
    assert summary.deals == count(ready, DealRow)
    assert summary.ratings == count(ready, HumanRatingRow) > 0
    assert len(summary.coaching) == count(ready, CoachingEventRow) >= 5
    assert summary.activities == count(ready, ActivityRow)
    assert summary.quotas == count(ready, QuotaRow)
    with ready.unit_of_work() as uow:
        call = uow.calls.get("demo-000001", scope=EVERYONE)
        assert call is not None and call.rep and call.deal_external_id and call.has_timing
        assert TRUTH_KEY in call.meta
        deal = uow.deals.get(call.deal_external_id, scope=EVERYONE)
        assert deal is not None and deal.rep == call.rep and deal.account == call.account
        ratings = uow.scores.ratings("one-call-close", scope=EVERYONE)
        assert {r.rater for r in ratings} == {t.manager for t in uow.people.teams(scope=EVERYONE)}
        assert {e.rep for e in uow.coaching.events("one-call-close", scope=EVERYONE)} <= set(
            uow.people.rep_names(scope=EVERYONE)
        )
        reps = uow.people.reps(scope=EVERYONE)
        assert all(r.start_date and r.team and r.manager for r in reps)


def test_running_it_again_replaces_the_demo_and_keeps_the_reps(ready: Store) -> None:
    generate_demo(ready, DemoOptions(seed=7, calls=120, end=END))
    with ready.unit_of_work() as uow:
        before = uow.people.rep_ids(uow.people.rep_names(scope=EVERYONE))
    again = generate_demo(ready, DemoOptions(seed=7, calls=120, end=END))
    assert again.replaced_calls == 120
    assert count(ready, CallRow) == 120 and count(ready, RepRow) == 12
    with ready.unit_of_work() as uow:
        assert uow.people.rep_ids(uow.people.rep_names(scope=EVERYONE)) == before
    generate_demo(ready, DemoOptions(seed=8, calls=100, end=END))
    assert count(ready, CallRow) == 100
    assert count(ready, RepRow) == 12, "the previous seed's reps are gone"
    assert count(ready, TeamRow) == 2
    assert count(ready, CoachingEventRow) == len(
        generate_demo(ready, DemoOptions(seed=8, calls=100, end=END)).coaching
    )


def _real_call() -> Call:
    return Call(
        external_id="zoom-2026-03-02",
        segments=[
            Segment(0, "Dana Ortiz", SpeakerRole.REP, "Thanks for joining.", 0.0, 2.0),
            Segment(1, "Sam Lee", SpeakerRole.PROSPECT, "Happy to.", 2.5, 3.5),
        ],
        rep="Dana Ortiz",
        date=datetime(2026, 3, 2, 10, 0),
        source_format="vtt",
    )


def test_it_refuses_to_mix_into_real_calls_unless_forced(ready: Store) -> None:
    with ready.unit_of_work() as uow:
        rep, _ = uow.people.ensure_rep("Dana Ortiz")
        uow.calls.save(_real_call(), rep.id, None)
    with pytest.raises(DemoRefusedError, match="1 call"):
        generate_demo(ready, DemoOptions(calls=60, end=END))
    assert count(ready, CallRow) == 1, "nothing written"
    generate_demo(ready, DemoOptions(calls=60, end=END, force=True))
    assert count(ready, CallRow) == 61
    generate_demo(ready, DemoOptions(calls=60, end=END, force=True))
    assert count(ready, CallRow) == 61, "the demo replaces itself, never the real calls"
    with ready.unit_of_work() as uow:
        assert uow.calls.get("zoom-2026-03-02", scope=EVERYONE) is not None
        assert "Dana Ortiz" in uow.people.rep_names(scope=EVERYONE)


def test_it_needs_the_rubric_templates(store: Store) -> None:
    with pytest.raises(NotFoundError, match="callcoach init"):
        generate_demo(store, DemoOptions(calls=30, end=END))
