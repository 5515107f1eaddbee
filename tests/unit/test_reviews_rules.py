"""The rules of a review, on pure code: states, tenure weights, the self-assessment, the four
outputs, deal buckets, the lost-after-verbal hypothesis, objection groups and the sentence check."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from callcoach.analytics.reviews import DealFacts, Window, deal_buckets
from callcoach.analytics.reviews_check import check_sentence, check_text, split_sentences
from callcoach.analytics.reviews_lost import CriterionGap
from callcoach.analytics.reviews_lost import test_hypothesis as judge
from callcoach.analytics.reviews_objections import cluster_objections
from callcoach.domain.reviews import (
    EvidenceItem,
    FinalRating,
    PlanItem,
    ReviewParameters,
    ReviewRuleError,
    ReviewState,
    WrittenPlan,
    check_self_assessment,
    check_transition,
    missing_outputs,
    parse_weights,
    perception_gap,
    tenure_weights,
)

PARAMS = ReviewParameters()


def test_states_move_forward_only() -> None:
    check_transition(ReviewState.DRAFT, ReviewState.SHARED)
    check_transition(ReviewState.SHARED, ReviewState.HELD)
    check_transition(ReviewState.HELD, ReviewState.CLOSED)
    with pytest.raises(ReviewRuleError, match="a draft review cannot be closed"):
        check_transition(ReviewState.DRAFT, ReviewState.CLOSED)
    with pytest.raises(ReviewRuleError, match="none \\(it is closed\\)"):
        check_transition(ReviewState.CLOSED, ReviewState.SHARED)


def test_tenure_weights_at_3_9_and_18_months() -> None:
    ramping = tenure_weights(3.0, PARAMS)
    assert ramping.stage == "ramping"
    assert ramping.weights["skill"] + ramping.weights["activity"] == 60
    tenured = tenure_weights(18.0, PARAMS)
    assert (
        tenured.stage == "tenured" and tenured.weights["output"] == tenured.weights["skill"] == 50
    )
    between = tenure_weights(9.0, PARAMS)  # halfway from 6 to 12 months
    for dim in ("output", "activity", "skill", "growth"):
        assert between.weights[dim] == pytest.approx(
            (ramping.weights[dim] + tenured.weights[dim]) / 2
        )
    assert sum(between.weights.values()) == pytest.approx(100)
    assert tenure_weights(None, PARAMS).stage == "unknown"


def test_weights_from_settings_must_cover_every_dimension_and_sum_to_100() -> None:
    assert dict(parse_weights("output=10,activity=40,skill=40,growth=10"))["activity"] == 40
    for bad in ("output=10,skill=90", "output=50,activity=50,skill=50,growth=0", "speed=100"):
        with pytest.raises(ReviewRuleError):
            parse_weights(bad)
    custom = PARAMS.with_overrides(tenured_weights="output=40,activity=10,skill=40,growth=10")
    assert tenure_weights(24, custom).weights["activity"] == 10


def test_self_assessment_needs_a_rating_1_to_5_and_words_for_each_dimension() -> None:
    good = {d: {"rating": 3, "words": "fine"} for d in ("output", "activity", "skill", "growth")}
    assert check_self_assessment(good).skill.rating == 3
    bad = {**good, "skill": {"rating": 6, "words": ""}, "speed": {}}
    with pytest.raises(ReviewRuleError) as error:
        check_self_assessment(bad)
    message = str(error.value)
    assert "skill: rating 6 is out of range" in message and "unknown dimension(s) speed" in message
    assert "skill: say in a few words why" in message


def test_perception_gap_is_self_minus_evidence() -> None:
    assert perception_gap("skill", 5, 3).gap == 2
    assert "higher than the evidence" in perception_gap("skill", 5, 3).reading
    assert "lower than the evidence" in perception_gap("skill", 2, 4).reading
    assert perception_gap("skill", 3, None).gap is None


def test_the_four_outputs_are_tracked_until_each_exists() -> None:
    ratings = {d: FinalRating(3, "", "mia") for d in ("output", "activity", "skill", "growth")}
    plan = WrittenPlan([PlanItem("c", "C", "do", ["one", "two"])])
    assert missing_outputs(ratings, True, True, plan, True) == []
    missing = missing_outputs(
        {}, False, False, WrittenPlan([PlanItem("c", "C", "do", ["one"])]), False
    )
    assert len(missing) == 5 and "two practice assignments in the plan (1 so far)" in missing


def deal(pk: int, outcome: str, **dates: date | None) -> DealFacts:
    return DealFacts(
        pk,
        f"D{pk}",
        1,
        f"Deal {pk}",
        f"Acct {pk}",
        1000.0 * pk,
        outcome,
        dates.get("created"),
        dates.get("closed"),
        dates.get("verbal"),
        dates.get("stage_changed"),
        dates.get("last_activity"),
    )


def test_deal_buckets_and_the_stalled_rule() -> None:
    window = Window.before(date(2026, 6, 30), 60)
    deals = [
        deal(1, "won", created=date(2026, 4, 1), closed=date(2026, 6, 1)),
        deal(
            2, "lost", created=date(2026, 4, 1), closed=date(2026, 6, 2), verbal=date(2026, 5, 20)
        ),
        deal(3, "lost", created=date(2026, 4, 1), closed=date(2026, 6, 3)),
        deal(4, "open", created=date(2026, 4, 1), stage_changed=date(2026, 5, 31)),  # 30 days
        deal(5, "open", created=date(2026, 4, 1), stage_changed=date(2026, 6, 1)),  # 29 days
        deal(6, "open", created=date(2026, 4, 1)),  # a call on 20 June touched it
        deal(7, "stalled", created=date(2026, 6, 20)),  # the CRM says so
        deal(8, "won", created=date(2026, 1, 1), closed=date(2026, 7, 15)),  # open on the as-of day
    ]
    buckets = deal_buckets(deals, {6: date(2026, 6, 20), 8: date(2026, 3, 1)}, window, PARAMS)
    assert [d.pk for d in buckets.won] == [1]
    assert [d.pk for d in buckets.lost_after_verbal] == [2]
    assert [d.pk for d in buckets.lost_other] == [3]
    assert sorted(s.deal.pk for s in buckets.stalled) == [4, 7, 8]


def gap(crit: str, value: float | None, hypothesis: bool) -> CriterionGap:
    return CriterionGap(
        crit, crit.title(), 2.0, None if value is None else 2.0 + value, value, 2, 3, hypothesis
    )


def test_the_lost_after_verbal_hypothesis_is_tested_not_assumed() -> None:
    names = {"objection": "Objection", "discovery": "Discovery"}
    holds = judge(
        [gap("objection", 1.0, True), gap("discovery", 0.2, False)],
        ["objection"],
        "",
        0.5,
        names,
        2,
    )
    assert holds.verdict == "holds"
    partly = judge(
        [gap("discovery", 1.2, False), gap("objection", 0.6, True)],
        ["objection"],
        "",
        0.5,
        names,
        2,
    )
    assert partly.verdict == "partly"
    fails = judge(
        [gap("discovery", 1.2, False), gap("objection", 0.1, True)],
        ["objection"],
        "",
        0.5,
        names,
        2,
    )
    assert fails.verdict == "does not hold" and "Discovery" in fails.statement
    assert (
        judge([gap("discovery", 1.0, False)], [], "", 0.5, names, 2).verdict == "cannot be tested"
    )


def test_objections_group_by_meaning_and_are_named_by_a_real_central_quote() -> None:
    rng = np.random.default_rng(0)
    price, timing = np.eye(8)[0], np.eye(8)[1]
    vectors = np.vstack(
        [price + 0.05 * rng.standard_normal(8) for _ in range(4)]
        + [timing + 0.05 * rng.standard_normal(8) for _ in range(3)]
    )
    clusters = cluster_objections(vectors)
    assert [len(c.members) for c in clusters] == [4, 3]
    assert clusters[0].central in range(4) and clusters[1].central in range(4, 7)


MOMENT = EvidenceItem(
    id="call-1",
    kind="moment",
    label="x",
    call_id="c1",
    start=723.0,
    account="Credit Acceptance",
    day=date(2026, 10, 14),
    quote="we can do a discount if you sign today",
    criterion="Objection handling",
    level=2,
    good_anchor="Acknowledge, ask what is behind it, answer with value",
    numbers=[4.0],
)
METRIC = EvidenceItem(
    id="metric-output-win-rate",
    kind="metric",
    label="w",
    value=0.436,
    team_value=0.38,
    unit="ratio",
    n=9,
)
EVIDENCE = {MOMENT.id: MOMENT, METRIC.id: METRIC}


def status(text: str) -> tuple[str, list[str]]:
    result = check_sentence(text, EVIDENCE, ["Dana Ortiz"])
    return result.status, result.problems


def test_the_check_accepts_what_the_cited_evidence_holds() -> None:
    assert (
        status(
            "On the 14 October 2026 call with Credit Acceptance, at 12:03 you said “we can do a "
            "discount” (Objection handling, level 2); level 4 asks “Acknowledge, ask what is "
            "behind it” [call-1]."
        )[0]
        == "ok"
    )
    assert (
        status("Your win rate was 44% against the team's 38% [metric-output-win-rate].")[0] == "ok"
    )
    assert status("Dana Ortiz, let us make this quarter count.")[0] == "generic"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("On that call you said “we will refund you” [call-1].", "quote"),
        ("Your win rate was 54% [metric-output-win-rate].", "number 54%"),
        ("On the 15 October 2026 call you pushed a discount [call-1].", "date"),
        ("At 12:30 you offered a discount [call-1].", "call time 12:30"),
        ("You won 9 deals at Globex Corp [metric-output-win-rate].", "Globex Corp"),
        (
            "With Credit Acceptance your win rate was 44% [metric-output-win-rate].",
            "Credit Acceptance",
        ),
        ("You won 4 of 9 deals [metric-made-up].", "not in the pack"),
        ("You won 4 of 9 deals.", "number 4"),
        ("You said “we can do a discount”.", "quote"),
    ],
)
def test_the_check_flags_what_the_cited_evidence_does_not_hold(text: str, problem: str) -> None:
    found, problems = status(text)
    assert found == "flagged" and any(problem in p for p in problems), problems


def test_sentences_are_never_split_inside_a_quote() -> None:
    text = "# Title\n\n- You said “No. Not now.” and moved on [call-1].\n- Next one. [call-1]\n"
    assert split_sentences(text) == [
        "You said “No. Not now.” and moved on [call-1].",
        "Next one. [call-1]",
    ]
    assert check_text(text, EVIDENCE).summary()["sentences"] == 2


def test_a_name_with_a_full_stop_does_not_end_the_sentence() -> None:
    item = EvidenceItem(
        id="call-2",
        kind="moment",
        label="x",
        account="Apex Trading Co.",
        day=date(2026, 11, 18),
        start=81.0,
        quote="fine",
    )
    text = "- The 18 November 2026 call with Apex Trading Co. at 1:21 went well [call-2].\n"
    checked = check_text(text, {item.id: item})
    assert [s.status for s in checked.sentences] == ["ok"]
