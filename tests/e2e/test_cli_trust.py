"""Acceptance (issue 15): a team whose verdicts agree with the machine on one criterion and not
on another; `scorer trust` reports the states, a not-trusted criterion leaves the priorities
until a manager opts it in, and the opt-in is audited."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from callcoach.cli import app
from callcoach.domain.access import Scope
from callcoach.domain.scores import FeedbackVerdict
from callcoach.services.assessment.query import AssessmentQuery
from callcoach.services.assessment.scorecards import build_priorities
from callcoach.services.scoring.teaching import record_feedback
from callcoach.store.uow import Store
from tests.integration.trust_team import conversations

RUBRIC = "one-call-close"
ASK_TURN = 6  # each call's close attempt (trust_team.conversation)
REP_TURNS = (0, 2, 4, 6, 8)


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Store]:
    from callcoach.cli import output

    # The console is built at import, before COLUMNS below applies: a wide terminal, so that
    # table cells ("not trusted") are not wrapped over two lines.
    monkeypatch.setattr(output.console, "width", 250)
    runner = CliRunner()
    db = str(tmp_path / "trust.db")

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, ["--db", db, *args], input=input, env={"COLUMNS": "250"})

    assert run("init").exit_code == 0
    start = datetime(2026, 4, 6)
    records = []
    for number, record in enumerate(conversations()):
        record["date"] = (start + timedelta(days=number)).isoformat()
        records.append(json.dumps(record) + "\n")
    calls = tmp_path / "calls.jsonl"
    calls.write_text("".join(records), encoding="utf-8")
    assert run("import", "calls", str(calls)).exit_code == 0
    scored = run("score", "--scorer", "fake", "--rubric", RUBRIC, "--workers", "1")
    assert scored.exit_code == 0, scored.output
    store = Store.from_url(db)
    rng = np.random.default_rng(7)
    for record in conversations():
        call_id = str(record["call_id"])
        for turn in REP_TURNS:
            # Close attempts: the team says what the rubric says (the asks are close attempts).
            verdict = FeedbackVerdict.CONFIRMED if turn == ASK_TURN else FeedbackVerdict.REJECTED
            record_feedback(
                store,
                call_id=call_id,
                criterion_id="close_attempt",
                segment=turn,
                verdict=verdict,
                rubric_id=RUBRIC,
                rater="Maria Chen",
            )
            # Discovery: this team's managers judge by something the words do not carry.
            coin = rng.random() < 0.4
            record_feedback(
                store,
                call_id=call_id,
                criterion_id="discovery",
                segment=turn,
                verdict=FeedbackVerdict.CONFIRMED if coin else FeedbackVerdict.REJECTED,
                rubric_id=RUBRIC,
                rater="Maria Chen",
            )
    for call_id in ("call-00", "call-01", "call-02"):  # a few verdicts: too few to judge
        record_feedback(
            store,
            call_id=call_id,
            criterion_id="objection_handling",
            segment=2,
            verdict=FeedbackVerdict.REJECTED,
            rubric_id=RUBRIC,
            rater="Maria Chen",
        )
    return run, store


def _priority_criteria(store: Store) -> set[str]:
    report = build_priorities(store, AssessmentQuery(rubric=RUBRIC), limit=5)
    return {p.criterion_id for rep in report.reps for p in rep.priorities}


def test_trust_states_priorities_and_audited_opt_in(team: tuple[Any, Store]) -> None:
    run, store = team
    # Nothing measured yet: every criterion is learning and drives priorities as before.
    assert "discovery" in _priority_criteria(store)

    result = run("scorer", "trust", "--rubric", RUBRIC, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    states = {c["criterion"]: c for c in report["criteria"]}
    assert states["close_attempt"]["state"] == "trusted", states["close_attempt"]
    assert states["discovery"]["state"] == "not_trusted", states["discovery"]
    assert states["objection_handling"]["state"] == "learning"
    assert states["value_articulation"]["state"] == "learning"
    close = states["close_attempt"]["figures"]
    assert close["judgements"] == 70 and close["confirmed"] == 14 and close["calls"] == 14
    low, high = close["auc"]["low"], close["auc"]["high"]
    assert low <= close["auc"]["value"] <= high and close["auc"]["n"] == 70
    assert states["discovery"]["figures"]["auc"]["value"] < 0.85
    assert not states["discovery"]["in_decisions"] and states["discovery"]["answers_needed"] > 0
    assert report["fresh"] is True
    shown = json.loads(run("show", "call", "call-03", "--format", "json").stdout)
    trust = {c["criterion_id"]: c["trust"] for c in shown["runs"][0]["criteria"]}
    assert trust["discovery"]["state"] == "not_trusted" and not trust["discovery"]["in_decisions"]
    assert trust["close_attempt"]["state"] == "trusted"

    # The not-trusted criterion is kept out of the priorities, and the report says so.
    assert "discovery" not in _priority_criteria(store)
    shown = run("priorities", "--rubric", RUBRIC)
    assert "not trusted, so not used for priorities: Discovery" in shown.output

    table = run("scorer", "trust", "--rubric", RUBRIC, "--cached")
    assert "not trusted" in table.output and "trusted" in table.output

    opted = run(
        "scorer",
        "trust",
        "--rubric",
        RUBRIC,
        "--cached",
        "--opt-in",
        "discovery",
        "--note",
        "we coach it anyway",
    )
    assert opted.exit_code == 0, opted.output
    assert "discovery" in _priority_criteria(store)
    with store.unit_of_work() as uow:
        entries = uow.audit.recent(action_prefix="trust.")
    assert [(e.action, e.target, e.detail.get("note")) for e in entries] == [
        ("trust.opt_in", f"{RUBRIC}/discovery", "we coach it anyway")
    ]
    again = json.loads(run("scorer", "trust", "--cached", "--format", "json").stdout)
    discovery = next(c for c in again["criteria"] if c["criterion"] == "discovery")
    assert discovery["opted_in"] and discovery["in_decisions"]
    assert discovery["state"] == "not_trusted"  # opting in does not change what was measured


def test_bar_is_the_organisations_and_bad_bars_are_refused(team: tuple[Any, Store]) -> None:
    run, _ = team
    bad = run("scorer", "trust", "--set-bar", "precision=1.5")
    assert bad.exit_code == 1 and "precision must be between 0 and 1" in bad.output
    first = json.loads(run("scorer", "trust", "--format", "json").stdout)
    assert first["bar"]["precision"] == 0.8 and first["bar"]["min_judgements"] == 30
    strict = run("scorer", "trust", "--set-bar", "min_judgements=100", "--format", "json")
    assert strict.exit_code == 0, strict.output
    report = json.loads(strict.stdout)
    # A new bar applies to the figures already measured: nothing is measured again.
    assert report["measured_at"] == first["measured_at"]
    assert {c["state"] for c in report["criteria"]} == {"learning"}
    assert report["bar"]["min_judgements"] == 100 and report["bar"]["precision"] == 0.8


def test_teach_loop_records_verdicts_skips_and_quits(team: tuple[Any, Store]) -> None:
    run, store = team
    # Three answers (confirm, reject, skip), a wrong key, then quit.
    result = run(
        "scorer",
        "teach",
        "--rubric",
        RUBRIC,
        "--criterion",
        "value_articulation",
        "--rater",
        "Ana Ruiz",
        input="c\nr\nx\ns\nq\n",
    )
    assert result.exit_code == 0, result.output
    assert "Value articulation" in result.output and "level 5:" in result.output
    assert "Does turn" in result.output and "Answer c, r, s or q." in result.output
    assert "1 confirmed, 1 rejected, 1 skipped" in result.output
    with store.unit_of_work() as uow:
        mine = [
            f
            for f in uow.teaching.feedback(RUBRIC, scope=Scope.system("test"))
            if f.rater == "Ana Ruiz"
        ]
    assert sorted(f.verdict.value for f in mine) == ["confirmed", "rejected"]
    assert {f.criterion_id for f in mine} == {"value_articulation"}
    # Two different calls: the queue spreads its questions.
    assert len({f.call_id for f in mine}) == 2


def test_teach_stops_on_a_trusted_criterion(team: tuple[Any, Store]) -> None:
    run, _ = team
    result = run("scorer", "teach", "--rubric", RUBRIC, "--criterion", "close_attempt", input="q\n")
    assert result.exit_code == 0, result.output
    assert "is trusted" in result.output and "Does turn" not in result.output
    unknown = run("scorer", "teach", "--rubric", RUBRIC, "--criterion", "nope")
    assert unknown.exit_code == 1 and "has no criterion 'nope'" in unknown.output
