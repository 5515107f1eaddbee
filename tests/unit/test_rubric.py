"""Rubric rules: weights sum to 100, five anchors per criterion, unique ids, 4-6 advised."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from callcoach.domain.rubric import check_rubric
from callcoach.ingest.rubric_yaml import check_rubric_text
from callcoach.services.rubrics.catalog import template_names, template_text

ANCHORS = {1: "none", 2: "weak", 3: "partial", 4: "good", 5: "excellent"}


def rubric(weights: list[float], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "test-rubric",
        "name": "Test rubric",
        "criteria": [
            {
                "id": f"c{i}",
                "name": f"Criterion {i}",
                "weight": w,
                "description": "Did the rep do it?",
                "anchors": dict(ANCHORS),
                "examples": {"positive": ["So what made you look at this now?"]},
            }
            for i, w in enumerate(weights)
        ],
    }
    data.update(overrides)
    return data


def test_valid_rubric_builds() -> None:
    result = check_rubric(rubric([25, 25, 30, 20]))
    assert result.ok
    assert result.rubric is not None
    assert result.rubric.weights() == {"c0": 25, "c1": 25, "c2": 30, "c3": 20}
    assert result.warnings == []


def test_a_criterion_without_positive_examples_is_accepted_with_a_warning_naming_it() -> None:
    data = rubric([25, 25, 30, 20])
    del data["criteria"][1]["examples"]
    data["criteria"][2]["examples"] = {"positive": ["  "], "negative": ["Anyway."]}
    result = check_rubric(data)
    assert result.ok
    flagged = [w for w in result.warnings if "no positive example lines" in w]
    assert len(flagged) == 2
    assert "c1" in flagged[0] and "c2" in flagged[1]


def test_weights_summing_to_95_are_refused_naming_the_sum() -> None:
    result = check_rubric(rubric([25, 25, 25, 20]))
    assert not result.ok
    assert any("sum to 95" in e for e in result.errors), result.errors


def test_criterion_with_four_anchors_is_refused_naming_it() -> None:
    data = rubric([25, 25, 25, 25])
    del data["criteria"][2]["anchors"][5]
    result = check_rubric(data)
    assert not result.ok
    assert any("'c2'" in e and "4 anchors" in e and "missing 5" in e for e in result.errors)


def test_duplicate_ids_are_refused() -> None:
    data = rubric([25, 25, 25, 25])
    data["criteria"][3]["id"] = "c0"
    result = check_rubric(data)
    assert any("duplicate id" in e and "'c0'" in e for e in result.errors)


@pytest.mark.parametrize("weights", [[50, 50], [10] * 7 + [30]])
def test_fewer_than_four_or_more_than_six_criteria_warns(weights: list[float]) -> None:
    result = check_rubric(rubric(weights))
    assert result.ok
    assert any("4-6 are advised" in w for w in result.warnings)


def test_every_problem_is_reported_at_once() -> None:
    data = rubric([25, 25, 25, 20])
    data["criteria"][0]["anchors"] = {1: "a", 2: "b"}
    data["criteria"][1]["name"] = ""
    result = check_rubric(data)
    assert len(result.errors) == 3, result.errors


def test_yaml_errors_point_at_the_criterion_line() -> None:
    text = template_text("one-call-close").replace("weight: 25", "weight: 20", 1)
    result = check_rubric_text(text, "rubric.yaml")
    assert not result.ok
    assert any("sum to 95" in e for e in result.errors)


def test_content_hash_ignores_formatting_but_not_content() -> None:
    first = check_rubric(rubric([25, 25, 25, 25])).rubric
    second = check_rubric(copy.deepcopy(rubric([25, 25, 25, 25]))).rubric
    changed_data = rubric([25, 25, 25, 25])
    changed_data["criteria"][0]["anchors"][4] = "better anchor"
    changed = check_rubric(changed_data).rubric
    assert first is not None and second is not None and changed is not None
    assert first.content_hash == second.content_hash
    assert first.content_hash != changed.content_hash


def test_weighted_overall_renormalises_over_scored_criteria() -> None:
    result = check_rubric(rubric([25, 25, 25, 25])).rubric
    assert result is not None
    assert result.weighted_overall({"c0": 4, "c1": 2, "c2": 4, "c3": 2}) == 3.0
    assert result.weighted_overall({"c0": 4, "c1": None}) == 4.0
    assert result.weighted_overall({}) is None


@pytest.mark.parametrize("name", ["one-call-close", "complex-b2b", "review-conversation"])
def test_bundled_templates_are_valid_and_complete(name: str) -> None:
    result = check_rubric_text(template_text(name), name)
    assert result.ok, result.errors
    assert result.warnings == []
    assert result.rubric is not None
    for criterion in result.rubric.criteria:
        anchors = [criterion.anchors[level] for level in range(1, 6)]
        assert len(set(anchors)) == 5, f"{criterion.id}: anchors must differ per level"
        assert criterion.examples.positive, f"{criterion.id}: needs positive examples"


def test_templates_are_the_two_promised() -> None:
    assert {"one-call-close", "complex-b2b"} <= set(template_names())


def test_equal_weights_warn_to_weight_by_what_goes_with_winning() -> None:
    equal = check_rubric(rubric([20, 20, 20, 20, 20]))
    assert equal.rubric is not None
    assert any("every criterion has the same weight" in w for w in equal.warnings)
    assert any("outcomes --won 50" in w for w in equal.warnings)
    weighted = check_rubric(rubric([30, 25, 20, 15, 10]))
    assert not any("same weight" in w for w in weighted.warnings)
