"""Rationales a sales manager reads (issue 15, section 4): what the rep did, when, after what;
the method's numbers on the evidence only; a call too thin to judge says so."""

from __future__ import annotations

import re

import pytest

from callcoach.scoring.base import ScoringRequest
from callcoach.scoring.embedded import EmbeddedScorer
from tests.unit.test_embedded_scorer import (
    WITH_CLOSE,
    WITHOUT_CLOSE,
    criterion,
    make_call,
    template,
)

METHOD_WORDS = re.compile(r"likelihood|segment|anchor|log-odds|rung|prototype", re.IGNORECASE)


@pytest.fixture(scope="module")
def scorer() -> EmbeddedScorer:
    return EmbeddedScorer()


def test_rationales_are_plain_and_numbers_stay_on_the_evidence(scorer: EmbeddedScorer) -> None:
    rubric = template("one-call-close")
    for turns in (WITH_CLOSE, WITHOUT_CLOSE):
        score = scorer.score(ScoringRequest(make_call("c", turns), rubric, 1))
        for crit in score.criteria:
            assert crit.level is not None
            assert not METHOD_WORDS.search(crit.rationale), crit.rationale
            assert crit.rationale.startswith(f"Level {crit.level}: ")
            for item in crit.evidence:
                assert item.likelihood is not None and 0 <= item.likelihood <= 1
    close = criterion(
        scorer.score(ScoringRequest(make_call("c", WITH_CLOSE), rubric, 1)), "close_attempt"
    )
    first = close.evidence[0]
    # When (clock time of the turn), where in the call, its turn number and what came before.
    assert f"(turn {first.segment})" in close.rationale
    call = make_call("c", WITH_CLOSE)
    before = call.segments[first.segment - 1]
    assert "in the call" in close.rationale and f"after {before.speaker} said" in close.rationale
    assert '."."' not in close.rationale
    assert f'"{first.quote[:40]}' in close.rationale


def test_an_untimed_call_says_where_without_a_clock(scorer: EmbeddedScorer) -> None:
    rubric = template("one-call-close")
    score = scorer.score(ScoringRequest(make_call("c", WITH_CLOSE, timed=False), rubric, 1))
    close = criterion(score, "close_attempt")
    assert " at " not in close.rationale.split('"')[2][:12]
    assert "late in the call" in close.rationale or "midway in the call" in close.rationale
