"""Walk every repository read of people's data with a rep's, a manager's and a system scope.

The organisation: team East (manager Maria) with reps ann and bob, team West (manager Walt)
with cyd, and one call of nobody's. Every rep has a call (scored, rated, overridden, judged), a
deal, activity, a quota, a coaching event and a shared review with a draft and a
self-assessment. Each probe calls one scoped read and names the reps whose rows came back: the
system scope sees all three (so the probe is not vacuous), Maria's scope exactly ann and bob,
ann's scope exactly ann. `test_the_walk_knows_every_scoped_read` fails when a scoped read is
added to a repository without a probe here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest
from sqlalchemy import select

from callcoach.domain.access import Role, Scope, Viewer
from callcoach.domain.calls import Activity, Call, Deal, DealOutcome, Quota, Rep
from callcoach.domain.scores import CoachingEvent, EvidenceFeedback, FeedbackVerdict
from callcoach.store.models import ScoreRunRow
from callcoach.store.repositories.calls import CallFilter
from callcoach.store.uow import Store, UnitOfWork
from tests.assessment_data import CRITERIA, World, segments_for
from tests.unit.test_scope_signatures import scoped_reads

REPS = {"ann": "East", "bob": "East", "cyd": "West"}
EVERYONE = Scope.system("test: the whole organisation")
DAY = datetime(2026, 3, 10, 10, 0)


@dataclass
class Seeded:
    """Keys of what was written, and whose each row is."""

    rep_pk: dict[str, int] = field(default_factory=dict)
    call_pk: dict[str, int] = field(default_factory=dict)  # by call id
    deal_pk: dict[str, int] = field(default_factory=dict)  # by deal id
    review: dict[int, str] = field(default_factory=dict)  # review id -> rep
    run: dict[int, str] = field(default_factory=dict)  # run id -> rep
    rubric_pk: int = 0
    version_pks: list[int] = field(default_factory=list)

    def owner_of_call(self, call: str | int) -> str | None:
        if isinstance(call, int):
            call = next(c for c, pk in self.call_pk.items() if pk == call)
        return None if call == "nobody-1" else call.split("-")[0]

    def rep_of_pk(self, pk: int) -> str:
        return next(name for name, p in self.rep_pk.items() if p == pk)

    def deal_owner(self, deal: str | int) -> str:
        if isinstance(deal, int):
            deal = next(d for d, pk in self.deal_pk.items() if pk == deal)
        return deal.removeprefix("deal-")


def seed(store: Store) -> Seeded:
    world = World(store)
    world.rubric()
    seeded = Seeded()
    for rep, team in REPS.items():
        with store.unit_of_work() as uow:
            row, _ = uow.people.upsert_rep(
                Rep(name=rep, team=team, manager="Maria" if team == "East" else "Walt")
            )
            seeded.rep_pk[rep] = row.id
            deal = Deal(
                external_id=f"deal-{rep}",
                outcome=DealOutcome.WON,
                close_date=date(2026, 3, 20),
                amount=100.0,
            )
            seeded.deal_pk[deal.external_id] = uow.deals.upsert(deal, row.id, "test")[0].id
            uow.deals.upsert_activity(Activity(rep, date(2026, 3, 10), calls_made=3), row.id)
            uow.deals.upsert_quota(Quota(rep, date(2026, 1, 1), date(2026, 3, 31), 1000), row.id)
        world.call(f"{rep}-1", rep, DAY, deal=f"deal-{rep}")
        with store.unit_of_work() as uow:
            found = uow.calls.row(f"{rep}-1", scope=EVERYONE)
            assert found is not None
            found.call_type = f"type-{rep}"
    with store.unit_of_work() as uow:
        call = Call("nobody-1", segments_for("nobody-1"), date=DAY, call_type="type-nobody")
        uow.calls.save(call, None, None)
    for call_id in ("ann-1", "bob-1", "cyd-1", "nobody-1"):
        world.score(call_id, dict.fromkeys(CRITERIA, 3))
        world.rating(call_id, "Rita", "discovery", 2)
        world.rating(call_id, "Maria", "discovery", 4, source="override")
    with store.unit_of_work() as uow:
        rubric_row = uow.rubrics.rubric_row("test-rubric")
        stored = uow.rubrics.latest("test-rubric")
        assert rubric_row is not None and stored is not None
        seeded.rubric_pk, seeded.version_pks = rubric_row.id, [stored.version_pk]
        for call_id in ("ann-1", "bob-1", "cyd-1", "nobody-1"):
            row = uow.calls.row(call_id, scope=EVERYONE)
            assert row is not None
            seeded.call_pk[call_id] = row.id
            runs = uow.session.scalars(select(ScoreRunRow.id).where(ScoreRunRow.call_id == row.id))
            for run in runs:
                if call_id != "nobody-1":
                    seeded.run[run] = call_id.split("-")[0]
            verdict = EvidenceFeedback(
                call_id, "test-rubric", "discovery", 1, FeedbackVerdict.CONFIRMED, "Maria"
            )
            uow.teaching.save_feedback(verdict, row.id, rubric_row.id)
        for rep, pk in seeded.rep_pk.items():
            event = CoachingEvent(rep, "discovery", "test-rubric", date(2026, 3, 1), coach="Maria")
            uow.coaching.add_many([event], {rep: pk}, rubric_row.id)
            review = uow.reviews.create(
                pk, "Maria", rubric_row.id, 1, "fake", date(2026, 3, 31), date(2026, 1, 1), {}, None
            )
            uow.reviews.set_state(review, "shared")
            uow.reviews.add_draft(review, f"Review of {rep}", "template", "Maria", {})
            uow.reviews.save_self_assessment(review, {"discovery": 3}, rep)
            seeded.review[review] = rep
    return seeded


Probe = Callable[[UnitOfWork, Scope, Seeded], set[str]]


def _calls(names: list[str | None] | set[str | None]) -> set[str]:
    return {n for n in names if n is not None}


def _each_call(read: Callable[[UnitOfWork, Scope, str], object]) -> Probe:
    def probe(uow: UnitOfWork, scope: Scope, s: Seeded) -> set[str]:
        return _calls({s.owner_of_call(c) for c in s.call_pk if read(uow, scope, c)})

    return probe


def _each_review(read: Callable[[UnitOfWork, Scope, int], object]) -> Probe:
    def probe(uow: UnitOfWork, scope: Scope, s: Seeded) -> set[str]:
        return {rep for review, rep in s.review.items() if read(uow, scope, review)}

    return probe


def _count(uow: UnitOfWork, scope: Scope, s: Seeded) -> set[str]:
    ids = uow.calls.external_ids(scope=scope)
    assert uow.calls.count(scope=scope) == len(ids)
    return _calls([s.owner_of_call(c) for c in ids])


def _segments(uow: UnitOfWork, scope: Scope, s: Seeded) -> set[str]:
    found = uow.calls.segments(list(s.call_pk.values()), scope=scope)
    return _calls([s.owner_of_call(pk) for pk, segs in found.items() if segs])


def _cited(uow: UnitOfWork, scope: Scope, s: Seeded) -> set[str]:
    pks = list(s.call_pk.values())
    counts, rows = uow.score_exchange.cited_segments(pks, {(pk, 1) for pk in pks}, scope=scope)
    assert {r[0] for r in rows} == set(counts)
    return _calls([s.owner_of_call(pk) for pk in counts])


def _evidence(uow: UnitOfWork, scope: Scope, s: Seeded) -> set[str]:
    pairs = [(run, "discovery") for run in s.run]
    return {s.run[run] for run, *_ in uow.analytics.criterion_evidence(pairs, scope=scope)}


def _team_pks(uow: UnitOfWork, scope: Scope, s: Seeded) -> set[str]:
    found: set[str] = set()
    for team in ("East", "West"):
        found |= {s.rep_of_pk(pk) for pk in uow.analytics.team_rep_pks(team, scope=scope) or ()}
    return found


def _teams(uow: UnitOfWork, scope: Scope, s: Seeded) -> set[str]:
    """Teams are not a rep's rows: a team shows as the reps it holds that the scope allows."""
    teams = {t.name for t in uow.people.teams(scope=scope)}
    allowed = {r for r in REPS if scope.allows_rep(s.rep_pk[r])}
    assert teams == {REPS[r] for r in allowed}
    return {r for r in allowed if REPS[r] in teams}


START, END = date(2026, 1, 1), date(2026, 4, 1)
SINCE, UNTIL = datetime(2026, 1, 1), datetime(2026, 4, 1)

PROBES: dict[str, Probe] = {
    "CallRepository.row": _each_call(lambda u, sc, c: u.calls.row(c, scope=sc)),
    "CallRepository.get": _each_call(lambda u, sc, c: u.calls.get(c, scope=sc)),
    "CallRepository.get_many": lambda u, sc, s: _calls(
        [c.rep for c in u.calls.get_many(list(s.call_pk), scope=sc)]
    ),
    "CallRepository.segments": _segments,
    "CallRepository.external_ids": lambda u, sc, s: _calls(
        [s.owner_of_call(c) for c in u.calls.external_ids(CallFilter(), scope=sc)]
    ),
    "CallRepository.recent_external_ids": lambda u, sc, s: _calls(
        [s.owner_of_call(c) for c in u.calls.recent_external_ids(limit=10, scope=sc)]
    ),
    "CallRepository.count": _count,
    "CallRepository.team_rubrics": lambda u, sc, s: _calls(
        [s.owner_of_call(c) for c in u.calls.team_rubrics(list(s.call_pk), scope=sc)]
    ),
    "CallRepository.search": lambda u, sc, s: _calls(
        [s.owner_of_call(c) for c in u.calls.search("tell me more", scope=sc)]
    ),
    "ScoreRepository.for_call": _each_call(lambda u, sc, c: u.scores.for_call(c, scope=sc)),
    "ScoreRepository.all": lambda u, sc, s: _calls(
        [s.owner_of_call(x.call_id) for x in u.scores.all(scope=sc)]
    ),
    "ScoreRepository.ratings": lambda u, sc, s: _calls(
        [s.owner_of_call(r.call_id) for r in u.scores.ratings(scope=sc)]
    ),
    "DealRepository.row": lambda u, sc, s: {
        s.deal_owner(d) for d in s.deal_pk if u.deals.row(d, scope=sc)
    },
    "DealRepository.get": lambda u, sc, s: {
        s.deal_owner(d) for d in s.deal_pk if u.deals.get(d, scope=sc)
    },
    "DealRepository.get_many": lambda u, sc, s: {
        s.deal_owner(d) for d in u.deals.get_many(list(s.deal_pk), scope=sc)
    },
    "DealRepository.activities": lambda u, sc, s: {a.rep for a in u.deals.activities(scope=sc)},
    "DealRepository.quotas": lambda u, sc, s: {q.rep for q in u.deals.quotas(scope=sc)},
    "CoachingRepository.events": lambda u, sc, s: {e.rep for e in u.coaching.events(scope=sc)},
    "CoachingRepository.rows": lambda u, sc, s: {
        r[2] for r in u.coaching.rows(s.rubric_pk, None, scope=sc)
    },
    "TeachingRepository.feedback": lambda u, sc, s: _calls(
        [s.owner_of_call(f.call_id) for f in u.teaching.feedback(scope=sc)]
    ),
    "BrowseRepository.list_calls": lambda u, sc, s: _calls(
        [i.rep for i in u.browse.list_calls(CallFilter(), None, 0, 50, scope=sc)[0]]
    ),
    "BrowseRepository.call_types": lambda u, sc, s: (
        {t.removeprefix("type-") for t in u.browse.call_types(scope=sc)} - {"nobody"}
    ),
    "BrowseRepository.call_owner": _each_call(lambda u, sc, c: u.browse.call_owner(c, scope=sc)),
    "BrowseRepository.ratings_for_call": lambda u, sc, s: _calls(
        [
            s.owner_of_call(r.call_id)
            for pk in s.call_pk.values()
            for r in u.browse.ratings_for_call(pk, scope=sc)
        ]
    ),
    "BrowseRepository.team_of_rep": lambda u, sc, s: {
        r for r in REPS if u.browse.team_of_rep(r, scope=sc)
    },
    "ScoreExchangeRepository.export_rows": lambda u, sc, s: _calls(
        [s.owner_of_call(r[1]) for r in u.score_exchange.export_rows(None, None, None, scope=sc)]
    ),
    "ScoreExchangeRepository.call_pks": lambda u, sc, s: _calls(
        [s.owner_of_call(c) for c in u.score_exchange.call_pks(list(s.call_pk), scope=sc)]
    ),
    "ScoreExchangeRepository.cited_segments": _cited,
    "AnalyticsRepository.score_rows": lambda u, sc, s: {
        s.rep_of_pk(r[2])
        for r in u.analytics.score_rows(s.version_pks, list(CRITERIA), "fake", scope=sc)
        if r[2] is not None
    },
    "AnalyticsRepository.overrides": lambda u, sc, s: _calls(
        [s.owner_of_call(r[0]) for r in u.analytics.overrides(s.rubric_pk, scope=sc)]
    ),
    "ManualRatingRepository.rows": lambda u, sc, s: _calls(
        [s.owner_of_call(r[0]) for r in u.manual_ratings.rows(s.rubric_pk, scope=sc)]
    ),
    "AnalyticsRepository.human_ratings": lambda u, sc, s: _calls(
        [s.owner_of_call(r[0]) for r in u.analytics.human_ratings(s.rubric_pk, scope=sc)]
    ),
    "AnalyticsRepository.rep_rows": lambda u, sc, s: {r[1] for r in u.analytics.rep_rows(scope=sc)},
    "AnalyticsRepository.rep_pk": lambda u, sc, s: {
        r for r in REPS if u.analytics.rep_pk(r, scope=sc)
    },
    "AnalyticsRepository.team_rep_pks": _team_pks,
    "AnalyticsRepository.closed_deals": lambda u, sc, s: {
        s.deal_owner(pk) for pk, _ in u.analytics.closed_deals(list(s.deal_pk.values()), scope=sc)
    },
    "AnalyticsRepository.call_deals": lambda u, sc, s: _calls(
        [s.owner_of_call(r[0]) for r in u.analytics.call_deals(None, None, None, scope=sc)]
    ),
    "AnalyticsRepository.last_won_deals": lambda u, sc, s: {
        s.deal_owner(pk) for pk, _ in u.analytics.last_won_deals(10, None, scope=sc)
    },
    "AnalyticsRepository.closed_deal_calls": lambda u, sc, s: _calls(
        [
            s.owner_of_call(r[0])
            for r in u.analytics.closed_deal_calls(list(s.deal_pk.values()), None, None, scope=sc)
        ]
    ),
    "AnalyticsRepository.quota_attainment": lambda u, sc, s: {
        s.rep_of_pk(r[0]) for r in u.analytics.quota_attainment(START, END, None, scope=sc)
    },
    "AnalyticsRepository.criterion_evidence": _evidence,
    "AnalyticsRepository.call_details": lambda u, sc, s: _calls(
        [s.owner_of_call(pk) for pk in u.analytics.call_details(list(s.call_pk.values()), scope=sc)]
    ),
    "AnalyticsRepository.call_pk": _each_call(lambda u, sc, c: u.analytics.call_pk(c, scope=sc)),
    "AnalyticsRepository.timed_calls": lambda u, sc, s: _calls(
        [s.owner_of_call(r[1]) for r in u.analytics.timed_calls(None, None, None, scope=sc)]
    ),
    "PeopleRepository.teams": _teams,
    "PeopleRepository.reps": lambda u, sc, s: {r.name for r in u.people.reps(scope=sc)},
    "PeopleRepository.rep": lambda u, sc, s: {r for r in REPS if u.people.rep(r, scope=sc)},
    "PeopleRepository.rep_names": lambda u, sc, s: set(u.people.rep_names(scope=sc)),
    "ReviewRepository.summary": _each_review(lambda u, sc, r: u.reviews.summary(r, scope=sc)),
    "ReviewRepository.full": _each_review(lambda u, sc, r: u.reviews.full(r, scope=sc)),
    "ReviewRepository.summaries": lambda u, sc, s: {r.rep for r in u.reviews.summaries(scope=sc)},
    "ReviewRepository.self_assessment": _each_review(
        lambda u, sc, r: u.reviews.self_assessment(r, scope=sc)
    ),
    "ReviewRepository.drafts": _each_review(lambda u, sc, r: u.reviews.drafts(r, scope=sc)),
    "ReviewRepository.rep_row": lambda u, sc, s: {
        r for r in REPS if u.reviews.rep_row(r, scope=sc)
    },
    "ReviewRepository.team_rep_pks": lambda u, sc, s: {
        name for team in ("East", "West") for _, name in u.reviews.team_rep_pks(team, scope=sc)
    },
    "ReviewRepository.deals": lambda u, sc, s: {
        s.rep_of_pk(r[2]) for r in u.reviews.deals(list(s.rep_pk.values()), START, END, scope=sc)
    },
    "ReviewRepository.deal_calls": lambda u, sc, s: _calls(
        [
            s.owner_of_call(call)
            for _, call, _ in u.reviews.deal_calls(list(s.deal_pk.values()), UNTIL, scope=sc)
        ]
    ),
    "ReviewRepository.window_calls": lambda u, sc, s: _calls(
        [
            s.owner_of_call(r[0])
            for pk in s.rep_pk.values()
            for r in u.reviews.window_calls(pk, SINCE, UNTIL, scope=sc)
        ]
    ),
    "ReviewRepository.activities": lambda u, sc, s: {
        s.rep_of_pk(r[0])
        for r in u.reviews.activities(list(s.rep_pk.values()), START, END, scope=sc)
    },
    "ReviewRepository.quotas": lambda u, sc, s: {
        s.rep_of_pk(r[0]) for r in u.reviews.quotas(list(s.rep_pk.values()), START, END, scope=sc)
    },
    "ReviewRepository.ratings": lambda u, sc, s: _calls(
        [
            s.owner_of_call(r[0])
            for r in u.reviews.ratings(list(s.call_pk.values()), s.rubric_pk, scope=sc)
        ]
    ),
    "ReviewRepository.segments_near": lambda u, sc, s: _calls(
        [
            s.owner_of_call(pk)
            for pk in u.reviews.segments_near([(pk, 2) for pk in s.call_pk.values()], 2, scope=sc)
        ]
    ),
}


def test_the_walk_knows_every_scoped_read() -> None:
    assert set(PROBES) == scoped_reads(), (
        f"probe every scoped read: missing {sorted(scoped_reads() - set(PROBES))}, "
        f"stale {sorted(set(PROBES) - scoped_reads())}"
    )


VIEWERS = {
    "system": (None, {"ann", "bob", "cyd"}),
    "manager of East": (Viewer("maria", Role.MANAGER, teams=frozenset({"East"})), {"ann", "bob"}),
    "rep ann": (Viewer("ann", Role.REP, rep="ann"), {"ann"}),
    "rep without a roster entry": (Viewer("ghost", Role.REP, rep="ghost"), set()),
    "manager of no team": (Viewer("nemo", Role.MANAGER), set()),
}


@pytest.mark.parametrize("who", list(VIEWERS))
def test_every_scoped_read_returns_exactly_the_rows_the_viewer_may_see(
    store: Store, who: str
) -> None:
    seeded = seed(store)
    viewer, expected = VIEWERS[who]
    wrong: dict[str, set[str]] = {}
    with store.unit_of_work() as uow:
        scope = EVERYONE if viewer is None else uow.people.scope_for(viewer)
        for name, probe in PROBES.items():
            seen = probe(uow, scope, seeded)
            if seen != expected:
                wrong[name] = seen
    assert not wrong, f"{who} should see exactly {sorted(expected)}; these reads differ: {wrong}"


def test_an_unassigned_call_is_seen_by_administrators_only(store: Store) -> None:
    seed(store)
    admin = Viewer("root", Role.ADMIN)
    manager = Viewer("maria", Role.MANAGER, teams=frozenset({"East"}))
    with store.unit_of_work() as uow:
        assert uow.calls.get("nobody-1", scope=uow.people.scope_for(admin)) is not None
        assert uow.calls.get("nobody-1", scope=uow.people.scope_for(manager)) is None
        assert "nobody-1" not in uow.calls.external_ids(scope=uow.people.scope_for(manager))
