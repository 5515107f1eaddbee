"""Teaching the scorer on both backends: evidence feedback, guidance, and a calibration round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callcoach.domain.access import Role, Scope, Viewer
from callcoach.domain.scores import FeedbackVerdict
from callcoach.scoring.base import ScoringRequest
from callcoach.scoring.calibration import EvidenceStrength, LevelMapping
from callcoach.scoring.embedded import EmbeddedScorer
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.services.imports.ratings import import_ratings
from callcoach.services.imports.transcripts import import_calls
from callcoach.services.rubrics.catalog import add_rubric_text, get_rubric, template_text
from callcoach.services.scoring.teaching import (
    calibrate,
    list_feedback,
    load_guidance,
    record_feedback,
)
from callcoach.store.uow import Store

EVERYONE = Scope.system("test: read the whole organisation")

RUBRIC = "one-call-close"
ASKS = [
    "Can we get the agreement signed today so you start on Monday?",
    "Shall I send the order form now for the twenty seats?",
    "Would you like to go ahead with the annual plan today?",
]
CHAT = [
    "Thanks for taking the time, how was the conference last week?",
    "Our product has a lot of features that customers like.",
    "I'll let you get back to your afternoon then.",
]


def conversation(number: int, closes: int) -> dict[str, object]:
    turns = [
        {
            "speaker": "rep",
            "text": "Hi, thanks for joining. How is the quarter going for your team?",
        },
        {"speaker": "buyer", "text": f"Busy. We are {number + 2} weeks behind on scheduling."},
        {"speaker": "rep", "text": "What does a missed appointment cost you today?"},
        {"speaker": "buyer", "text": "Maybe a few hundred dollars each time, sometimes a client."},
    ]
    for index in range(3):
        text = ASKS[index] if index < closes else CHAT[index]
        turns += [{"speaker": "rep", "text": text}, {"speaker": "buyer", "text": "Okay, noted."}]
    return {
        "call_id": f"call-{number:02d}",
        "rep_speaker": "rep",
        "rep": "Dana Ortiz",
        "turns": turns,
    }


@pytest.fixture
def seeded(store: Store, tmp_path: Path) -> Store:
    source = tmp_path / "calls.jsonl"
    source.write_text(
        "".join(json.dumps(conversation(n, n % 4)) + "\n" for n in range(12)), encoding="utf-8"
    )
    assert import_calls(store, [source]).ok
    add_rubric_text(store, template_text(RUBRIC), "template")
    return store


def test_feedback_is_stored_listed_replaced_and_becomes_guidance(seeded: Store) -> None:
    item, created = record_feedback(
        seeded,
        call_id="call-01",
        criterion_id="close_attempt",
        segment=4,
        verdict=FeedbackVerdict.CONFIRMED,
        rubric_id=RUBRIC,
        rater="Maria Chen",
        note="a direct ask",
    )
    assert created and item.text == ASKS[0]
    record_feedback(
        seeded,
        call_id="call-00",
        criterion_id="close_attempt",
        segment=6,
        verdict=FeedbackVerdict.CONFIRMED,
        rubric_id=RUBRIC,
        rater="Maria Chen",
    )
    # Changing one's mind replaces the verdict instead of adding a second one.
    _, created = record_feedback(
        seeded,
        call_id="call-00",
        criterion_id="close_attempt",
        segment=6,
        verdict=FeedbackVerdict.REJECTED,
        rubric_id=RUBRIC,
        rater="Maria Chen",
    )
    assert not created
    items = list_feedback(seeded, RUBRIC)
    assert [(i.feedback.call_id, i.feedback.verdict) for i in items] == [
        ("call-01", FeedbackVerdict.CONFIRMED),
        ("call-00", FeedbackVerdict.REJECTED),
    ]
    assert list_feedback(seeded, call_id="call-01")[0].feedback.note == "a direct ask"

    guidance = load_guidance(seeded, RUBRIC)
    examples = {(e.call_id, e.segment): e for e in guidance.for_criterion("close_attempt")}
    assert examples[("call-01", 4)].positive and examples[("call-01", 4)].source == "confirmed"
    # The context is the buyer's turn just before: a reply is judged with what it answers.
    assert (
        examples[("call-01", 4)].context
        == "Maybe a few hundred dollars each time, sometimes a client."
    )
    assert not examples[("call-00", 6)].positive
    assert guidance.for_criterion("discovery") == []


def test_feedback_refuses_bad_input_and_hides_calls_a_viewer_cannot_see(seeded: Store) -> None:
    base = {
        "call_id": "call-01",
        "criterion_id": "close_attempt",
        "segment": 4,
        "verdict": FeedbackVerdict.CONFIRMED,
        "rubric_id": RUBRIC,
        "rater": "m",
    }
    with pytest.raises(NotFoundError, match="no call"):
        record_feedback(seeded, **{**base, "call_id": "nope"})  # type: ignore[arg-type]
    with pytest.raises(ServiceError, match="no criterion 'closing'"):
        record_feedback(seeded, **{**base, "criterion_id": "closing"})  # type: ignore[arg-type]
    with pytest.raises(ServiceError, match="no segment 99"):
        record_feedback(seeded, **{**base, "segment": 99})  # type: ignore[arg-type]
    with pytest.raises(NotFoundError, match="no rubric"):
        record_feedback(seeded, **{**base, "rubric_id": "unknown"})  # type: ignore[arg-type]
    other_rep = Viewer(username="chris", role=Role.REP, rep="Chris Novak")
    with pytest.raises(NotFoundError, match="no call"):
        record_feedback(seeded, viewer=other_rep, **base)  # type: ignore[arg-type]
    assert list_feedback(seeded) == []


@pytest.mark.slow
def test_calibration_round_trip(seeded: Store, tmp_path: Path) -> None:
    # A manager rated every call's close attempt: 1 with no ask, up to 5 with three asks.
    lines = ["call_id,rater,criterion_id,level"]
    for n in range(12):
        lines.append(f"call-{n:02d},Maria Chen,close_attempt,{[1, 3, 4, 5][n % 4]}")
        lines.append(f"call-{n:02d},Maria Chen,discovery,3")
    ratings = tmp_path / "ratings.csv"
    ratings.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert import_ratings(seeded, [ratings], rubric=RUBRIC).ok

    scorer = EmbeddedScorer()
    result = calibrate(seeded, RUBRIC, scorer=scorer)
    assert result.ratings == 24 and result.calls == 12
    report = result.report
    for side in ("before", "after"):
        assert set(report[side]) == {"n", "exact", "within_one", "qwk"}
        assert report[side]["n"] == 24
    assert set(report["per_criterion"]) == {"close_attempt", "discovery"}

    guidance = load_guidance(seeded, RUBRIC)
    assert guidance.calibration is not None
    mapping = LevelMapping.from_params(guidance.calibration)
    assert mapping is not None
    # Monotone: more and stronger evidence never maps to a lower level.
    levels = [
        mapping.level("close_attempt", EvidenceStrength(p, n))
        for p, n in [(0.05, 0), (0.5, 1), (0.8, 2), (0.95, 3)]
    ]
    assert levels == sorted(levels)

    stored = get_rubric(seeded, RUBRIC)
    with seeded.unit_of_work() as uow:
        call = uow.calls.get("call-03", scope=EVERYONE)
    assert call is not None
    calibrated = scorer.score(
        ScoringRequest(call, stored.rubric, stored.version, guidance=guidance)
    )
    uncalibrated = scorer.score(ScoringRequest(call, stored.rubric, stored.version))
    # The calibrated scorer says what the manager would: discovery was always rated 3.
    assert calibrated.level_of("discovery") == 3
    assert calibrated.level_of("close_attempt") is not None
    assert uncalibrated.level_of("close_attempt") is not None
    # Every evidence quote is still verbatim.
    for crit in calibrated.criteria:
        for item in crit.evidence:
            assert item.quote in call.segments[item.segment].text


def test_calibration_refuses_without_enough_ratings(seeded: Store) -> None:
    with pytest.raises(ServiceError, match="calibration needs at least"):
        calibrate(seeded, RUBRIC)
