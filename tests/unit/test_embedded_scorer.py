"""The embedded scorer with the real bundled model, on small hand-written calls."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from callcoach.domain.calls import Call, Segment, SpeakerRole
from callcoach.domain.rubric import Rubric, check_rubric
from callcoach.domain.scores import CallScore, CriterionScore, ScoreStatus
from callcoach.ingest.rubric_yaml import check_rubric_text
from callcoach.scoring.base import LabelledTurn, RubricGuidance, ScoringRequest
from callcoach.scoring.candidates import select_candidates
from callcoach.scoring.embedded import EmbeddedScorer
from callcoach.scoring.embedding_model import EmbeddingModel
from callcoach.scoring.registry import ScorerConfig, build_scorer
from callcoach.services.rubrics.catalog import template_text

pytestmark = pytest.mark.slow

OPENING = [
    ("rep", "Hi Sam, thanks for making time today. How is the week going?"),
    ("prospect", "Busy, but good. We're in the middle of our planning cycle."),
    ("rep", "Tell me how your team schedules field technicians today."),
    ("prospect", "Mostly spreadsheets and a lot of phone calls, honestly."),
    ("rep", "What happens when a job runs over and the next customer is waiting?"),
    ("prospect", "We call them and apologise. Sometimes we lose the job."),
    ("rep", "Our scheduler moves the next visits automatically and texts the customer."),
    ("prospect", "That would save my dispatchers a lot of time."),
]
WITH_CLOSE = [
    *OPENING,
    ("rep", "Can we get the agreement signed today so your team starts on Monday?"),
    ("prospect", "Send it over and I'll sign it this afternoon."),
    ("rep", "Great, I'm sending the order form now for the 20 seats we discussed."),
]
WITHOUT_CLOSE = [
    *OPENING,
    ("rep", "Anyway, it was really nice chatting with you about the weather up there."),
    ("prospect", "Likewise, take care."),
    ("rep", "Have a good weekend, bye for now."),
]

UNSEEN_RUBRIC = """\
id: vet-front-desk
name: Veterinary front desk
criteria:
  - id: pet_history
    name: Pet history
    weight: 50
    description: Does the receptionist ask about the animal's symptoms, age and medical history?
    anchors:
      1: "Never asks anything about the animal."
      2: "Asks the pet's name only."
      3: "Asks about the main symptom."
      4: "Asks about symptoms, how long they have lasted, and the pet's age."
      5: "Takes a full history: symptoms, duration, age, medication and vaccinations."
    examples:
      positive:
        - "How long has your dog been limping?"
        - "Is she on any medication at the moment?"
  - id: appointment
    name: Booking the visit
    weight: 50
    description: Does the receptionist offer a concrete appointment slot and confirm it?
    anchors:
      1: "Never offers an appointment."
      2: "Says the owner could come in sometime."
      3: "Offers a day for a visit."
      4: "Offers a specific slot and confirms it with the owner."
      5: "Offers a specific slot matched to the urgency, confirms it and explains what to bring."
    examples:
      positive:
        - "We have a slot at 3:15 this afternoon, shall I book that for you?"
      negative:
        - "Hello, thanks for calling the clinic."
"""
VET_CALL = [
    ("rep", "Good morning, Riverside Vets, how can I help?"),
    ("prospect", "Hi, my cat Milo has stopped eating since yesterday."),
    ("rep", "Oh no. How old is Milo, and has he been vomiting or drinking less too?"),
    ("prospect", "He's nine. No vomiting, but he's hiding under the bed."),
    ("rep", "Is he on any medication, and are his vaccinations up to date?"),
    ("prospect", "No medication, and yes, vaccinated in spring."),
    ("rep", "We can see him today at 4:30 with Dr Patel. Shall I book that for you?"),
    ("prospect", "Yes please."),
    ("rep", "Booked. Please bring him in a carrier and his vaccination card."),
]


def make_call(call_id: str, turns: list[tuple[str, str]], timed: bool = True) -> Call:
    segments = []
    for index, (speaker, text) in enumerate(turns):
        start = index * 12.0 if timed else None
        segments.append(
            Segment(
                index=index,
                speaker="Dana" if speaker == "rep" else "Sam",
                role=SpeakerRole.REP if speaker == "rep" else SpeakerRole.PROSPECT,
                text=text,
                start=start,
                end=start + 10.0 if start is not None else None,
            )
        )
    return Call(external_id=call_id, segments=segments)


def template(name: str) -> Rubric:
    check = check_rubric_text(template_text(name), name)
    assert check.rubric is not None
    return check.rubric


@pytest.fixture(scope="module")
def scorer() -> EmbeddedScorer:
    return EmbeddedScorer()


def criterion(score: CallScore, criterion_id: str) -> CriterionScore:
    return next(c for c in score.criteria if c.criterion_id == criterion_id)


def test_a_clear_close_attempt_scores_higher_than_none(scorer: EmbeddedScorer) -> None:
    rubric = template("one-call-close")
    closed = scorer.score(ScoringRequest(make_call("closed", WITH_CLOSE), rubric, 1))
    open_ = scorer.score(ScoringRequest(make_call("open", WITHOUT_CLOSE), rubric, 1))
    with_close = criterion(closed, "close_attempt")
    without = criterion(open_, "close_attempt")
    assert with_close.level > without.level
    assert with_close.level >= 3
    # The evidence is the ask itself, and the rationale quotes the matched anchor.
    assert with_close.evidence[0].segment in (8, 10)
    anchor = rubric.criterion("close_attempt").anchors[with_close.level]
    assert anchor in with_close.rationale
    # Absent behaviour: a low level, backed by the closest moments, saying what is missing.
    assert without.level <= 2
    assert without.evidence
    assert "Not shown" in without.rationale or "hinted" in without.rationale


def test_every_quote_is_verbatim_in_its_segment_with_speaker_and_time(
    scorer: EmbeddedScorer,
) -> None:
    call = make_call("timed", WITH_CLOSE)
    for name in ("one-call-close", "complex-b2b"):
        result = scorer.score(ScoringRequest(call, template(name), 1))
        assert result.status is ScoreStatus.SCORED
        assert len(result.criteria) == len(template(name).criteria)
        for crit in result.criteria:
            assert crit.level in (1, 2, 3, 4, 5)
            assert 0 < crit.confidence < 1
            assert 1 <= len(crit.evidence) <= 3
            for item in crit.evidence:
                segment = call.segments[item.segment]
                assert item.quote in segment.text
                assert item.speaker == segment.speaker
                assert (item.start, item.end) == (segment.start, segment.end)
        assert result.overall is not None


def test_unscorable_calls_get_a_reason_and_no_score(scorer: EmbeddedScorer) -> None:
    rubric = template("one-call-close")
    short = make_call("short", [("rep", "Hi there."), ("prospect", "Hello?")])
    silent = make_call("silent", [("prospect", "Hello? Is anyone there? " * 5)] * 3)
    for call in (short, silent, Call(external_id="empty", segments=[])):
        result = scorer.score(ScoringRequest(call, rubric, 1))
        assert result.status is ScoreStatus.NOT_SCORABLE
        assert result.reason
        assert result.criteria == [] and result.overall is None


def test_a_rubric_it_has_never_seen_works(scorer: EmbeddedScorer) -> None:
    check = check_rubric_text(UNSEEN_RUBRIC, "test")
    assert check.rubric is not None, check.errors
    call = make_call("vet", VET_CALL)
    result = scorer.score(ScoringRequest(call, check.rubric, 1))
    history = criterion(result, "pet_history")
    booking = criterion(result, "appointment")
    assert history.level >= 3 and booking.level >= 3
    history_segments = {e.segment for e in history.evidence}
    booking_segments = {e.segment for e in booking.evidence}
    assert history_segments <= {2, 4}
    assert 6 in booking_segments
    # And a call without the behaviour, too short to tell (three turns of thanks and
    # goodbye), says so instead of giving a low level it cannot back (issue 15, section 4).
    chat = make_call(
        "chat",
        [
            ("rep", "Good morning, Riverside Vets, this is Alex speaking."),
            ("prospect", "Hi, I just wanted to say thanks for last week."),
            ("rep", "Oh that's kind of you, we love hearing that. Lovely weather today, isn't it?"),
            ("prospect", "It is, everyone is out walking."),
            ("rep", "Well, thanks so much for calling, have a wonderful day, goodbye."),
        ],
    )
    low = criterion(scorer.score(ScoringRequest(chat, check.rubric, 1)), "appointment")
    assert low.level is None and not low.evidence
    assert low.rationale.startswith("Too little to judge")


def test_scores_are_deterministic_and_stored_embeddings_give_the_same_result(
    scorer: EmbeddedScorer,
) -> None:
    rubric = template("one-call-close")
    call = make_call("same", WITH_CLOSE)
    stored = scorer.embed(call)
    assert stored is not None and stored.shape == (len(call.segments), 384)
    first = scorer.score(ScoringRequest(call, rubric, 1))
    second = scorer.score(ScoringRequest(call, rubric, 1, embeddings=stored))
    assert [(c.level, c.evidence) for c in first.criteria] == [
        (c.level, c.evidence) for c in second.criteria
    ]
    assert scorer.embedding_model == "all-MiniLM-L6-v2"


def test_stored_embeddings_carry_the_quotable_sentences_so_a_rescore_encodes_nothing() -> None:
    """A long rep turn is quoted at its best sentence; the stored matrix holds those sentences
    too, so scoring again from it (a rubric edit, another process) runs no encoding at all."""
    long_turn = (
        "Thanks for walking me through the month-end process, that was really helpful. "
        "Our scheduler moves the next visits automatically and texts the customer. "
        "Would you like to start the paperwork today so your team is live by the first?"
    )
    turns = [*WITH_CLOSE, ("rep", long_turn), ("prospect", "Yes, send it over.")]
    call = make_call("sentences", turns)
    rubric = template("one-call-close")
    first = EmbeddedScorer()
    stored = first.embed(call)
    assert stored is not None
    assert stored.shape == (len(call.segments) + 3, 384), "segments, then the 3 sentences"
    expected = first.score(ScoringRequest(call, rubric, 1, embeddings=stored))

    fresh_model = EmbeddingModel()  # nothing cached: any text to encode would reach _run
    fresh = EmbeddedScorer(model=fresh_model)
    fresh.prepare(rubric, None)  # the rubric's own texts are encoded once per run
    encoded: list[str] = []
    original_run = fresh_model._run

    def counting_run(texts: list[str]) -> np.ndarray:
        encoded.extend(texts)
        return original_run(texts)

    fresh_model._run = counting_run  # type: ignore[method-assign]
    again = fresh.score(ScoringRequest(call, rubric, 1, embeddings=stored))
    assert encoded == []
    assert [(c.level, c.evidence) for c in again.criteria] == [
        (c.level, c.evidence) for c in expected.criteria
    ]
    quoted = {
        c.criterion_id: e for c in again.criteria for e in c.evidence if e.segment == len(turns) - 2
    }
    # The close is one sentence of the turn: quoted alone. (A criterion none of whose sentences
    # stands out may quote the turn whole: neighbours nearly as relevant join the quote.)
    assert quoted["close_attempt"].quote == (
        "Would you like to start the paperwork today so your team is live by the first?"
    )
    assert all(e.quote in long_turn for e in quoted.values())


def test_teaching_moves_scores_the_way_people_said(scorer: EmbeddedScorer) -> None:
    rubric = template("one-call-close")
    call = make_call("taught", WITH_CLOSE)
    before = scorer.judge_turns(call, rubric)["close_attempt"]
    likelihood = dict(zip(before.segments, before.likelihood, strict=True))
    # People say the pricing/offer line (segment 6) is a close and the order line is not.
    examples = []
    for cid_text, positive in [
        ("Our scheduler moves the next visits automatically and texts the customer.", True),
        ("Great, I'm sending the order form now for the 20 seats we discussed.", False),
        ("Would you like to start the paperwork today?", True),
        ("Let me walk you through the reporting screens.", False),
        ("Shall we book the kickoff for Monday and sign now?", True),
        ("Thanks for your time today.", False),
    ]:
        examples.append(LabelledTurn("close_attempt", cid_text, "", positive, "confirmed"))
    guidance = RubricGuidance("one-call-close", examples)
    after = scorer.judge_turns(call, rubric, guidance=guidance)["close_attempt"]
    taught = dict(zip(after.segments, after.likelihood, strict=True))
    assert taught[6] > likelihood[6]
    assert taught[10] < likelihood[10]
    # Other criteria are untouched by close_attempt feedback.
    other_before = scorer.judge_turns(call, rubric)["discovery"].likelihood
    other_after = scorer.judge_turns(call, rubric, guidance=guidance)["discovery"].likelihood
    assert np.allclose(other_before, other_after)


def test_candidates_are_the_likeliest_rep_turns_with_their_context(
    scorer: EmbeddedScorer,
) -> None:
    rubric = template("one-call-close")
    call = make_call("candidates", WITH_CLOSE)
    picked = select_candidates(call, rubric, scorer.embed(call), scorer, per_criterion=2)
    assert set(picked) == set(rubric.criterion_ids)
    for segments in picked.values():
        assert segments == sorted(segments)
        reps = [s for s in segments if call.segments[s].is_rep]
        assert 1 <= len(reps) <= 2
        for s in reps:  # every chosen rep turn comes with the prospect turn before it
            assert s == 0 or s - 1 in segments
    assert 8 in picked["close_attempt"] or 10 in picked["close_attempt"]


def test_the_registry_builds_the_embedded_scorer() -> None:
    scorer = build_scorer(ScorerConfig("embedded"))
    assert scorer.name == "embedded"
    assert check_rubric  # the rubric module stays importable next to the scorer


NEEDS_RUBRIC = """\
id: needs-talk
name: Needs talk
criteria:
  - id: downplaying
    name: Downplaying own needs
    weight: 50
    description: Does the rep play down what their side needs, to make room for a trade?
    anchors:
      1: "Insists on everything their side wants."
      2: "Mentions a need they could live without, then takes it back."
      3: "Says one item matters little to them."
      4: "Says plainly which items they can do without, to help the deal."
      5: "Plays down their minor needs early and uses that to win what matters."
    examples:
      positive:
        - "Honestly we could do without the extra seats."
  - id: pricing
    name: Pricing
    weight: 50
    description: Does the rep explain the price and what it includes?
    anchors:
      1: "Never mentions the price."
      2: "Gives a number with no explanation."
      3: "Gives the price and what it covers."
      4: "Explains the price, what it covers and how it is paid."
      5: "Explains the price against the value the buyer said they need."
    examples:
      positive:
        - "It's forty dollars a seat per month, support included."
"""


def test_teaching_learns_the_words_that_decide_a_criterion(scorer: EmbeddedScorer) -> None:
    """A few words can decide a criterion that sentence embeddings blur ("we don't need the
    training" against "we need the training"): once people have judged enough turns, the scorer
    learns those words from them and ranks an unseen turn by them."""
    check = check_rubric_text(NEEDS_RUBRIC, "needs.yaml")
    assert check.rubric is not None
    rubric = check.rubric
    items = [
        "training",
        "extra seats",
        "phone support",
        "reporting module",
        "the API",
        "onboarding",
    ]
    examples = []
    for item in items:
        examples.append(
            LabelledTurn(
                "downplaying", f"We don't really need {item} this year.", "", True, "confirmed"
            )
        )
        examples.append(
            LabelledTurn("downplaying", f"We really need {item} this year.", "", False, "rejected")
        )
    guidance = RubricGuidance("needs-talk", examples)
    call = make_call(
        "needs",
        [
            ("prospect", "What matters most to your team?"),
            ("rep", "We really need the analytics dashboard this year."),
            ("prospect", "And the rest of the package?"),
            ("rep", "We don't really need the analytics dashboard this year."),
        ],
    )
    taught = scorer.judge_turns(call, rubric, guidance=guidance)["downplaying"]
    likelihood = dict(zip(taught.segments, taught.likelihood, strict=True))
    assert likelihood[3] > 0.5 > likelihood[1]
    # Worker processes get what was fitted pickled, and judge alike.
    scorer.prepare(rubric, guidance)
    worker = EmbeddedScorer()
    worker.adopt_prepared(pickle.loads(pickle.dumps(scorer.export_prepared())))
    again = worker.judge_turns(call, rubric, guidance=guidance)["downplaying"]
    assert np.allclose(again.likelihood, taught.likelihood)


def test_teaching_may_read_what_the_other_party_said_next() -> None:
    """The bench's "context" method (`reads_replies`, not the product's default): the teaching
    model also reads the other party's next turn, taken from the call's stored embeddings. The
    same words asked twice are told apart by the answer they drew; the default model cannot."""
    check = check_rubric_text(NEEDS_RUBRIC, "needs.yaml")
    assert check.rubric is not None
    rubric = check.rubric
    ask = "So would the smaller package work for you?"
    yes = ["Yes, that works, we can live without the extras.", "Sure, we can do without those."]
    no = ["No, we need every item on the list.", "Absolutely not, we need all of it."]
    examples = [
        LabelledTurn("downplaying", ask, f"Question {i}?", positive, "confirmed", reply=reply)
        for i in range(3)
        for positive, replies in ((True, yes), (False, no))
        for reply in replies
    ] + [
        LabelledTurn("downplaying", f"Our budget is {n} dollars.", "", False, "rejected")
        for n in range(5)
    ]
    guidance = RubricGuidance("needs-talk", examples)
    call = make_call(
        "replies",
        [
            ("prospect", "Here is the list of what we want."),
            ("rep", ask),
            ("prospect", "Yes, we can live without the extras."),
            ("prospect", "Here is the list of what we want."),
            ("rep", ask),
            ("prospect", "No, we need every item."),
        ],
        timed=False,
    )
    reading = EmbeddedScorer(reads_replies=True).judge_turns(call, rubric, guidance=guidance)
    taught = reading["downplaying"]
    likely = dict(zip(taught.segments, taught.likelihood, strict=True))
    assert likely[1] > likely[4] + 0.1
    default = EmbeddedScorer().judge_turns(call, rubric, guidance=guidance)["downplaying"]
    # Without replies, only the position tells the two asks apart.
    assert abs(float(default.likelihood[0] - default.likelihood[1])) < abs(
        float(likely[1] - likely[4])
    )
