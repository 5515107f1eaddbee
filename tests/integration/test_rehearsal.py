"""A manager rehearses a review against the persona of the rep, on the review fixture org: the
persona speaks only the rep's words (self-assessment, cited moments, own call turns), disputes
what the self-assessment disputes, the attempt is scored by the real embedded scorer on the
bundled review-conversation rubric, the debrief cites the manager's lines, a retry is a new
attempt, and only the review's manager and administrators ever see a rehearsal."""

from __future__ import annotations

import json

import pytest

from callcoach.domain.access import SYSTEM
from callcoach.domain.practice import AttemptStatus, TurnSpeaker
from callcoach.domain.rehearsal import SourceKind
from callcoach.roleplay.encoders import HashedWordEncoder
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.services.practice.sessions import list_sessions, show_session
from callcoach.services.rehearsals.session import (
    finish_attempt,
    rehearsals_of_review,
    retry,
    say,
    show_rehearsal,
    start_rehearsal,
)
from callcoach.services.reviews.lifecycle import self_assess
from callcoach.services.reviews.views import show_review
from callcoach.store.uow import Store
from tests.integration.review_org import ADMIN, BEN, EAST, EAST_TOO, WEST, build_org, prepare

ENCODE = HashedWordEncoder()
EMBEDDED = ScorerConfig(name="embedded")
SELF = {
    "output": {"rating": 5, "words": "I closed Echo Freight and beat my number in May."},
    "activity": {"rating": 2, "words": "I know I booked fewer meetings than I wanted."},
    "skill": {
        "rating": 5,
        "words": "My discovery is strong, prospects tell me I ask good questions.",
    },
    "growth": {"rating": 4, "words": "I took the objection coaching to heart."},
}
GOOD = [
    "Before I share anything, how do you think the last two months went?",
    "Thanks. Tell me more about why you see your skill at five, I want to hear it first.",
    "On the Echo Freight call, when they said the price was more than they budgeted, you said "
    "what does each of those days cost Echo Freight. Let's listen to that moment together.",
    "What would you like to work on first, given what we just heard?",
    "So two practice sessions: the budget objection from Echo Freight, and the close on Fjord "
    "Health. We meet again on the 14th of July to listen to five calls together.",
]
BAD = [
    "Let me start with your ratings: you're a 2 on skill and a 3 on output.",
    "You need to be more confident with pricing in general.",
    "Here is your plan, I've already written it up. Keep working on it.",
]


@pytest.fixture
def review(sqlite_store: Store) -> tuple[Store, int]:
    build_org(sqlite_store)
    review_id = prepare(sqlite_store, viewer=EAST)
    self_assess(sqlite_store, review_id, SELF, SYSTEM)
    return sqlite_store, review_id


def _rehearse(store: Store, review_id: int, lines: list[str]) -> int:
    session = start_rehearsal(store, review_id, ENCODE, EAST).session_id
    for line in lines:
        say(store, session, line, ENCODE, EAST)
    return session


def test_the_persona_speaks_the_reps_words_and_disputes_what_they_dispute(
    review: tuple[Store, int],
) -> None:
    store, review_id = review
    pack = show_review(store, review_id, EAST).pack
    assert pack is not None
    proposed = {d.dimension: d.proposed for d in pack.dimensions}
    disputed = {
        d for d, own in SELF.items() if proposed[d] is not None and own["rating"] - proposed[d] >= 1
    }
    assert disputed, "the fixture must give the persona something to dispute"
    view = start_rehearsal(store, review_id, ENCODE, EAST)
    assert {d["dimension"] for d in view.persona["disputes"]} == disputed
    assert view.persona["calls"] == 14 and 0 < view.persona["talk_ratio"] < 1
    session = view.session_id

    opening = say(store, session, GOOD[0], ENCODE, EAST)
    assert opening.stance == "self-assessment"
    first = opening.sources[0]
    assert first.kind is SourceKind.SELF_ASSESSMENT and first.ref is not None
    assert first.ref.split(":")[1] in disputed  # what it disputes comes first
    assert SELF[first.ref.split(":")[1]]["words"] in opening.text

    recall = say(store, session, GOOD[2], ENCODE, EAST)  # names the Echo Freight call
    kinds = {s.kind for s in recall.sources}
    assert SourceKind.CALL_MOMENT in kinds
    moment = next(s for s in recall.sources if s.kind is SourceKind.CALL_MOMENT)
    quoted = pack.evidence[moment.ref or ""]
    assert quoted.call_id is not None and quoted.call_id.startswith("ben-")
    assert f'"{quoted.quote}"' in recall.text

    other = say(store, session, "How are things otherwise with the team?", ENCODE, EAST)
    own = [s for s in other.sources if s.kind is SourceKind.OWN_TURN]
    assert own, other
    if own[0].ref:  # a retrieved turn: one of Ben's own calls, verbatim
        call_id = own[0].ref.split("#")[0]
        assert call_id.startswith("ben-")


def test_a_rehearsal_is_scored_debriefed_with_the_managers_lines_and_retried(
    review: tuple[Store, int],
) -> None:
    store, review_id = review
    session = _rehearse(store, review_id, GOOD)
    good = finish_attempt(store, session, EMBEDDED, EAST, self_judgement="Went well I think")
    attempt = good.current
    assert attempt is not None and attempt.status is AttemptStatus.SCORED
    data = attempt.debrief
    assert data["kind"] == "rehearsal" and data["self_judgement"] == "Went well I think"
    criteria = {c["criterion_id"]: c for c in data["score"]["criteria"]}
    assert set(criteria) == {
        "opens_with_self_assessment",
        "anchors_to_calls",
        "builds_plan_together",
        "practice_and_checkpoint",
    }
    turns = good.turns(attempt)
    manager_lines = {
        i + 1: t.text for i, t in enumerate(turns) if t.speaker is TurnSpeaker.PRACTITIONER
    }
    for crit in criteria.values():
        for item in crit["evidence"]:  # evidence quotes the manager, never the persona
            assert item["quote"] in manager_lines[item["line"]]
    cited = [c for item in data["debrief"]["items"] for c in item["cites"]]
    assert cited and all(c["quote"] in manager_lines[c["line"]] for c in cited)
    topics = {item["topic"]: item["text"] for item in data["debrief"]["items"]}
    assert "opened by asking for the rep's view (line 1)" in topics["opening"]
    assert "named two practice assignments and set a dated checkpoint" in topics["close"]

    # A retry is a new attempt; the first is kept. A bad delivery scores lower and says so.
    retry(store, session, EAST)
    for line in BAD:
        say(store, session, line, ENCODE, EAST)
    both = finish_attempt(store, session, EMBEDDED, EAST)
    assert [a.number for a in both.attempts] == [1, 2]
    first, second = both.attempts
    assert first.level is not None and second.level is not None
    levels = {c["criterion_id"]: c["level"] for c in second.debrief["score"]["criteria"]}
    assert levels["opens_with_self_assessment"] < criteria["opens_with_self_assessment"]["level"]
    # The weighted overall is lower (the attempt's rounded level may tie).
    assert second.debrief["score"]["overall"] < data["score"]["overall"]
    assert second.level <= first.level
    bad_topics = {i["topic"]: i["text"] for i in second.debrief["debrief"]["items"]}
    assert "opened with your own view (line 1)" in bad_topics["opening"]
    assert "named no practice assignment" in bad_topics["close"]
    json.dumps(second.debrief)  # stored as JSON


def test_bad_input_gets_a_clear_message_and_changes_nothing(review: tuple[Store, int]) -> None:
    store, review_id = review
    session = start_rehearsal(store, review_id, ENCODE, EAST).session_id
    with pytest.raises(ServiceError, match="the line is empty"):
        say(store, session, "   ", ENCODE, EAST)
    with pytest.raises(ServiceError, match="nothing to score"):
        finish_attempt(store, session, EMBEDDED, EAST)
    say(store, session, "Hi Ben.", ENCODE, EAST)
    short = finish_attempt(store, session, EMBEDDED, EAST)
    assert short.current is not None and short.current.status is AttemptStatus.NOT_SCORABLE
    assert "too short to judge" in short.current.debrief["debrief"]["reason"]
    with pytest.raises(ServiceError, match="retry to rehearse the review again"):
        say(store, session, "One more thing.", ENCODE, EAST)
    with pytest.raises(NotFoundError, match="no review 999"):
        start_rehearsal(store, 999, ENCODE, EAST)


def test_only_the_reviews_manager_and_administrators_see_a_rehearsal(store: Store) -> None:
    build_org(store)
    review_id = prepare(store, viewer=EAST)
    session = _rehearse(store, review_id, GOOD[:2])
    # The rep, another team's manager: "no such review" / "no such rehearsal".
    for viewer in (BEN, WEST):
        with pytest.raises(NotFoundError):
            start_rehearsal(store, review_id, ENCODE, viewer)
        with pytest.raises(NotFoundError, match=f"no rehearsal {session}"):
            show_rehearsal(store, session, viewer)
        with pytest.raises(NotFoundError):
            say(store, session, "Hello", ENCODE, viewer)
        assert rehearsals_of_review(store, review_id, viewer) == []
    # Another manager of the same team may rehearse the review, not read this rehearsal.
    with pytest.raises(NotFoundError):
        show_rehearsal(store, session, EAST_TOO)
    assert rehearsals_of_review(store, review_id, EAST_TOO) == []
    assert [r.session_id for r in rehearsals_of_review(store, review_id, EAST)] == [session]
    assert show_rehearsal(store, session, ADMIN).manager == "mia"
    # The practice lists and pages never show a rehearsal, to anyone (they read other sessions).
    for viewer in (EAST, EAST_TOO, ADMIN):
        assert all(s.id != session for s in list_sessions(store, viewer))
        with pytest.raises(NotFoundError):
            show_session(store, session, viewer)
    with store.unit_of_work() as uow:  # and the store never hands a rep's scope a rehearsal
        assert uow.practice.session_of(session, scope=uow.people.scope_for(BEN)) is None
