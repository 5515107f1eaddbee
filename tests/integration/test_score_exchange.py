"""`export scores` and `import scores` on both backends: the exact format, replace-not-duplicate,
and whole-file rejection naming the line."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest

from callcoach.domain.access import Scope
from callcoach.services.exchange.scores import export_scores, import_scores
from callcoach.store.uow import Store
from tests.assessment_data import CRITERIA, World

EVERYONE = Scope.system("test: read the whole organisation")


def small_world(store: Store) -> World:
    world = World(store)
    world.rubric()
    world.rep("Ann")
    for i in range(3):
        world.call(f"call-{i}", "Ann", datetime(2026, 5, 1 + i))
        world.score(f"call-{i}", {c: 1 + (i + n) % 5 for n, c in enumerate(CRITERIA)})
    return world


def exported(store: Store, fmt: str = "jsonl", **kwargs: str) -> str:
    buffer = io.StringIO()
    export_scores(store, buffer, fmt, **kwargs)
    return buffer.getvalue()


def run_count(store: Store) -> int:
    with store.unit_of_work() as uow:
        return len(list(uow.scores.all(scope=EVERYONE)))


def test_export_is_exactly_the_documented_shape(store: Store) -> None:
    small_world(store)
    lines = [json.loads(line) for line in exported(store).splitlines()]
    assert len(lines) == 3
    first = lines[0]
    assert list(first) == [
        "call_id",
        "rubric_id",
        "rubric_version",
        "scorer",
        "overall",
        "criteria",
    ]
    assert (first["call_id"], first["rubric_id"], first["rubric_version"], first["scorer"]) == (
        "call-0",
        "test-rubric",
        1,
        "fake",
    )
    crit = first["criteria"][0]
    assert list(crit) == ["id", "level", "confidence", "rationale", "evidence"]
    evidence = crit["evidence"][0]
    assert list(evidence) == ["segment", "start", "end", "speaker", "quote"]
    assert evidence == {
        "segment": 1,
        "start": 11.0,
        "end": 21.0,
        "speaker": "Rep",
        "quote": "What does it cost you each month on call-0? Tell me more.",
    }
    levels = {c["id"]: c["level"] for c in first["criteria"]}
    assert first["overall"] == pytest.approx(sum(levels[c] * w for c, w in CRITERIA.items()) / 100)
    assert exported(store, scorer="llm") == ""


def test_csv_export_has_a_row_per_call_and_criterion(store: Store) -> None:
    small_world(store)
    rows = list(csv.DictReader(io.StringIO(exported(store, "csv"))))
    assert len(rows) == 3 * len(CRITERIA)
    assert rows[0]["call_id"] == "call-0" and rows[0]["criterion_id"] == "urgency_creation"
    assert json.loads(rows[0]["evidence"])[0]["segment"] == 1


def test_reimport_replaces_and_keeps_the_scorer(store: Store, tmp_path: Path) -> None:
    small_world(store)
    lines = [json.loads(line) for line in exported(store).splitlines()]
    for line in lines:
        line["scorer"] = "vendor-x"
        for crit in line["criteria"]:
            crit["level"] = 5
    path = tmp_path / "scores.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    first = import_scores(store, path)
    assert first.ok and (first.created, first.updated) == (3, 0)
    again = import_scores(store, path)
    assert again.ok and (again.created, again.updated) == (0, 3)
    assert run_count(store) == 6  # the 3 fake runs and the 3 vendor-x runs, no duplicates
    back = [json.loads(x) for x in exported(store, scorer="vendor-x").splitlines()]
    assert back[0]["scorer"] == "vendor-x" and back[0]["overall"] == 5.0
    assert back[0]["criteria"][0]["evidence"] == lines[0]["criteria"][0]["evidence"]


BAD_LINES = [
    ({"call_id": "nope"}, "unknown call 'nope'"),
    ({"rubric_id": "other"}, "unknown rubric 'other'"),
    ({"rubric_version": 9}, "rubric 'test-rubric' has no version 9"),
    ({"criteria": [{"id": "charm", "level": 3}]}, "unknown criterion 'charm'"),
    ({"criteria": [{"id": "discovery", "level": 7}]}, "level 7 is outside 1-5"),
    ({"criteria": [{"id": "discovery", "level": 0}]}, "level 0 is outside 1-5"),
    (
        {
            "criteria": [
                {
                    "id": "discovery",
                    "level": 3,
                    "evidence": [{"segment": 1, "quote": "we never said this"}],
                }
            ]
        },
        "not verbatim in segment 1",
    ),
    (
        {
            "criteria": [
                {"id": "discovery", "level": 3, "evidence": [{"segment": 40, "quote": "x"}]}
            ]
        },
        "has no segment 40",
    ),
]


@pytest.mark.parametrize(("change", "message"), BAD_LINES)
def test_a_bad_line_rejects_the_whole_file_naming_the_line(
    store: Store, tmp_path: Path, change: dict[str, object], message: str
) -> None:
    small_world(store)
    lines = [json.loads(line) for line in exported(store).splitlines()]
    for line in lines:
        line["scorer"] = "vendor-x"
    lines[2].update(change)
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    report = import_scores(store, path)
    assert not report.ok
    failed = report.files[0]
    assert failed.line == 3 and message in (failed.error or ""), failed.error
    assert (failed.created, failed.updated) == (0, 0)
    assert run_count(store) == 3  # lines 1 and 2 were not written either


def test_truncated_json_and_repeated_runs_are_rejected(store: Store, tmp_path: Path) -> None:
    small_world(store)
    text = exported(store)
    path = tmp_path / "cut.jsonl"
    path.write_text(text[: len(text) - 30], encoding="utf-8")
    report = import_scores(store, path)
    assert report.files[0].line == 3 and "invalid JSON" in (report.files[0].error or "")
    first = text.splitlines()[0]
    path.write_text(first + "\n" + first + "\n", encoding="utf-8")
    report = import_scores(store, path)
    assert report.files[0].line == 2 and "already given on line 1" in (report.files[0].error or "")
