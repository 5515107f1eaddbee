"""The shipped ranker's numbers are the ones the benchmark fitted, with their provenance."""

from __future__ import annotations

import json
from pathlib import Path

from callcoach.roleplay.defaults import DEFAULT_PARAMETERS
from callcoach.roleplay.facts import contradicted, stated_numbers
from callcoach.roleplay.names import KnownName, NameCatalogue, NameSide, SceneNames, adapt_names

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "practice.json"


def test_shipped_parameters_equal_the_benchmark_fit() -> None:
    fitted = json.loads(RESULTS.read_text(encoding="utf-8"))["parameters"]
    shipped = DEFAULT_PARAMETERS.as_json()
    assert shipped == {k: fitted[k] for k in shipped}
    assert DEFAULT_PARAMETERS.provenance["weights"] == fitted["provenance"]["weights"]
    assert set(DEFAULT_PARAMETERS.provenance) >= {"weights", "means", "scales", "ridge_alpha"}


def test_numbers_already_stated_are_kept() -> None:
    assert stated_numbers("We have 20 people and spend $300 a month, 15% on tools") == {
        "people": 20.0,
        "dollars": 300.0,
        "percent": 15.0,
    }
    assert contradicted("All 45 people need it", ["We have 20 people"]) == ["people"]
    assert contradicted("All 20 people need it", ["We have 20 people"]) == []
    assert contradicted("It costs 45 dollars", ["We have 20 people"]) == []


def catalogue() -> NameCatalogue:
    texts = [(f"c{i}", "we talked about the plan in Callcoach today") for i in range(50)]
    texts += [("c1", "Tell Priya Shah at Acme Group about it"), ("c2", "Beta Group signed")]
    known = [
        KnownName("Acme Group", NameSide.ACCOUNT, "c1"),
        KnownName("Beta Group", NameSide.ACCOUNT, "c2"),
        KnownName("Priya Shah", NameSide.REPLIER, "c1"),
    ]
    return NameCatalogue.build(texts, known)


def test_other_calls_names_are_replaced_and_unmappable_ones_refuse_the_reply() -> None:
    names = catalogue()
    scene = SceneNames(account="Contoso", persona="Dana Reyes")
    adapted = adapt_names("Priya from Acme Group will decide.", names, scene, "c9")
    assert adapted.text == "Dana from Contoso will decide."
    # No persona name in the scenario: the reply naming a person cannot be used.
    refused = adapt_names("Priya will decide.", names, SceneNames(account="Contoso"), "c9")
    assert refused.text is None and refused.refused == ("Priya",)
    # Names of the scenario's own call stay.
    assert adapt_names("Priya will decide.", names, SceneNames(), "c1").text == "Priya will decide."
    # A word the organisation's calls capitalise everywhere (its product) is not a name of a call.
    same = adapt_names("we love Callcoach here", names, SceneNames(), "c9")
    assert same.text == "we love Callcoach here"
    # An unknown capitalised word in mid-sentence, rare in the calls, keeps the reply out.
    assert adapt_names("ask Marguerite first", names, SceneNames(), "c9").text is None


def test_contact_details_never_pass() -> None:
    refused = adapt_names("Mail me at jo@example.com", catalogue(), SceneNames(), "c9")
    assert refused.text is None and refused.refused == ("jo@example.com",)
