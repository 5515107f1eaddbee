"""Acceptance: a small data set imported through the documented files (reps and deals CSV,
conversation JSONL, scores JSONL, ratings CSV); `scorecard`, `priorities`, `agreement` and
`outcomes --format json` must give the numbers computed here independently."""

from __future__ import annotations

import csv
import json
import statistics
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import pytest
import yaml
from scipy import stats
from typer.testing import CliRunner

from callcoach.cli import app
from tests.assessment_data import rubric_document

RUBRIC = "acceptance"
WEIGHTS = {
    "urgency_creation": 25,
    "discovery": 25,
    "objection_handling": 20,
    "close_attempt": 20,
    "process_adherence": 10,
}
REPS = {"Ann Lee": "East", "Bob Cruz": "East", "Cat Diaz": "West", "Dev Rao": "West"}
CALLS_PER_REP = 12
START = datetime(2026, 4, 2, 10, 0)


def level(rep_index: int, call: int, crit_index: int) -> int:
    """A deterministic spread of levels, different per rep, call and criterion."""
    return 1 + (rep_index * 2 + call * (crit_index + 1) + crit_index) % 5


def rep_line(call_id: str) -> str:
    return f"What would it cost you to wait on {call_id}? Let us agree a date."


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def build_files(tmp: Path) -> dict[str, Any]:
    """Write every input file; return the truth the assertions use."""
    rubric_file = tmp / "rubric.yaml"
    rubric_file.write_text(yaml.safe_dump(rubric_document(WEIGHTS, RUBRIC)), encoding="utf-8")
    write_csv(
        tmp / "reps.csv", [{"name": n, "team": t, "manager": f"Mgr {t}"} for n, t in REPS.items()]
    )
    calls, scores, deals, truth = [], [], {}, []
    for r, rep in enumerate(REPS):
        for i in range(CALLS_PER_REP):
            call_id = f"{rep.split()[0].lower()}-{i:02d}"
            deal_id = f"{call_id[:3]}-deal-{i % 4}"
            when = START + timedelta(days=6 * i + r)
            turns = [
                {
                    "speaker": "Prospect",
                    "text": "We are comparing a few vendors.",
                    "start": 0.0,
                    "end": 6.0,
                },
                {"speaker": rep, "text": rep_line(call_id), "start": 7.0, "end": 15.0},
                {
                    "speaker": "Prospect",
                    "text": "Probably a month of delays.",
                    "start": 16.0,
                    "end": 20.0,
                },
            ]
            calls.append(
                {
                    "call_id": call_id,
                    "rep": rep,
                    "rep_speaker": rep,
                    "date": when.isoformat(),
                    "deal_id": deal_id,
                    "account": f"Acct {deal_id}",
                    "turns": turns,
                }
            )
            levels = {c: level(r, i, k) for k, c in enumerate(WEIGHTS)}
            truth.append(
                {"call": call_id, "rep": rep, "team": REPS[rep], "deal": deal_id, "levels": levels}
            )
            scores.append(
                {
                    "call_id": call_id,
                    "rubric_id": RUBRIC,
                    "rubric_version": 1,
                    "scorer": "vendor",
                    "overall": None,
                    "criteria": [
                        {
                            "id": c,
                            "level": v,
                            "confidence": 0.5 + 0.01 * i,
                            "rationale": f"{c} {v}",
                            "evidence": [
                                {
                                    "segment": 1,
                                    "start": 7.0,
                                    "end": 15.0,
                                    "speaker": rep,
                                    "quote": rep_line(call_id),
                                }
                            ],
                        }
                        for c, v in levels.items()
                    ],
                }
            )
            deals.setdefault(deal_id, []).append(levels["discovery"])
    outcomes = {}
    for deal_id, discovery in deals.items():
        # Winning follows discovery (with two exceptions so it is not a perfect separation).
        won = statistics.mean(discovery) >= 3
        if deal_id in ("ann-deal-0", "dev-deal-3"):
            won = not won
        outcomes[deal_id] = won
    write_csv(
        tmp / "deals.csv",
        [
            {
                "deal_id": d,
                "outcome": "won" if w else "lost",
                "rep": next(t["rep"] for t in truth if t["deal"] == d),
                "close_date": "2026-06-30",
                "amount": 1000,
            }
            for d, w in outcomes.items()
        ],
    )
    (tmp / "calls.jsonl").write_text("".join(json.dumps(c) + "\n" for c in calls), encoding="utf-8")
    (tmp / "scores.jsonl").write_text(
        "".join(json.dumps(s) + "\n" for s in scores), encoding="utf-8"
    )
    ratings = []
    for t in truth[:10]:  # two managers rate Ann's first 10 calls on discovery
        machine = t["levels"]["discovery"]
        other = (
            machine
            if t["call"][-1] in "02468"
            else max(1, machine - (2 if t["call"].endswith("3") else 1))
        )
        ratings.append(
            {
                "call_id": t["call"],
                "rubric_id": RUBRIC,
                "rater": "Mgr East",
                "criterion_id": "discovery",
                "level": machine,
            }
        )
        ratings.append(
            {
                "call_id": t["call"],
                "rubric_id": RUBRIC,
                "rater": "Coach Kim",
                "criterion_id": "discovery",
                "level": other,
            }
        )
    write_csv(tmp / "ratings.csv", ratings)
    return {"calls": truth, "outcomes": outcomes, "ratings": ratings}


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[CliRunner, str, dict[str, Any]]:
    truth = build_files(tmp_path)
    db = str(tmp_path / "acceptance.db")
    runner = CliRunner()
    for args in (
        ["init"],
        ["rubric", "add", str(tmp_path / "rubric.yaml")],
        ["import", "reps", str(tmp_path / "reps.csv")],
        ["import", "calls", str(tmp_path / "calls.jsonl")],
        ["import", "deals", str(tmp_path / "deals.csv")],
        ["import", "scores", str(tmp_path / "scores.jsonl")],
        ["import", "ratings", str(tmp_path / "ratings.csv")],
    ):
        result = runner.invoke(app, ["--db", db, *args])
        assert result.exit_code == 0, (args, result.output)
    return runner, db, truth


def run_json(loaded: tuple[CliRunner, str, dict[str, Any]], *args: str) -> Any:
    runner, db, _ = loaded
    result = runner.invoke(app, ["--db", db, *args, "--rubric", RUBRIC, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_scorecard_matches_independent_numbers(
    loaded: tuple[CliRunner, str, dict[str, Any]],
) -> None:
    truth = loaded[2]
    report = run_json(loaded, "scorecard", "--cycle", "2026-Q2")
    assert report["scorer"] == "vendor"
    for card in report["reps"]:
        mine = [t for t in truth["calls"] if t["rep"] == card["rep"]]
        team = [t for t in truth["calls"] if t["team"] == REPS[card["rep"]]]
        assert card["calls"] == len(mine) == CALLS_PER_REP
        for line in card["criteria"]:
            values = [t["levels"][line["criterion_id"]] for t in mine]
            mean = statistics.mean(values)
            half = (
                stats.t.ppf(0.975, len(values) - 1) * statistics.stdev(values) / len(values) ** 0.5
            )
            assert line["mean"] == pytest.approx(mean)
            assert line["ci_low"] == pytest.approx(mean - half)
            assert line["ci_high"] == pytest.approx(mean + half)
            assert line["team_mean"] == pytest.approx(
                statistics.mean(t["levels"][line["criterion_id"]] for t in team)
            )
        overall = statistics.mean(
            sum(t["levels"][c] * w for c, w in WEIGHTS.items()) / 100 for t in mine
        )
        assert card["overall"] == pytest.approx(overall)
        deals = {t["deal"] for t in mine}
        won = sum(truth["outcomes"][d] for d in deals)
        assert (card["close_rate"]["won"], card["close_rate"]["closed"]) == (won, len(deals))
        team_deals = [
            d
            for rep, t in REPS.items()
            if t == REPS[card["rep"]]
            for d in {x["deal"] for x in truth["calls"] if x["rep"] == rep}
        ]
        assert card["team_close_rate"]["won"] == sum(truth["outcomes"][d] for d in team_deals)


def test_priorities_match_the_weighted_gap_rule(
    loaded: tuple[CliRunner, str, dict[str, Any]],
) -> None:
    truth = loaded[2]
    report = run_json(loaded, "priorities", "--cycle", "2026-Q2")
    for line in report["reps"]:
        mine = [t for t in truth["calls"] if t["rep"] == line["rep"]]
        team = [t for t in truth["calls"] if t["team"] == REPS[line["rep"]]]
        scored = []
        for c, w in WEIGHTS.items():
            gap = statistics.mean(t["levels"][c] for t in team) - statistics.mean(
                t["levels"][c] for t in mine
            )
            if gap > 0:
                scored.append((gap * w / 100, w, c))
        expected = [c for _, _, c in sorted(scored, key=lambda s: (-s[0], -s[1]))[:2]]
        assert [p["criterion_id"] for p in line["priorities"]] == expected
        for priority in line["priorities"]:
            crit = priority["criterion_id"]
            lowest = min(t["levels"][crit] for t in mine)
            assert priority["moments"][0]["level"] == lowest
            assert len(priority["moments"]) == 3
            assert priority["what_good_looks_like"] == f"{crit} level 4 behaviour"
            moment = priority["moments"][0]
            assert moment["quote"] == rep_line(moment["call_id"]) and moment["timestamp"] == 7.0


def icc_a1(matrix: np.ndarray) -> float:
    """ICC(A,1) from the two-way ANOVA mean squares (McGraw & Wong), calls x raters."""
    n, k = matrix.shape
    grand = matrix.mean()
    msr = k * ((matrix.mean(axis=1) - grand) ** 2).sum() / (n - 1)
    msc = n * ((matrix.mean(axis=0) - grand) ** 2).sum() / (k - 1)
    resid = matrix - matrix.mean(axis=1, keepdims=True) - matrix.mean(axis=0, keepdims=True) + grand
    mse = (resid**2).sum() / ((n - 1) * (k - 1))
    return float((msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n))


def kappa_quadratic(a: list[int], b: list[int]) -> float:
    observed = np.zeros((5, 5))
    for x, y in zip(a, b, strict=True):
        observed[x - 1, y - 1] += 1
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    weights = np.array([[(i - j) ** 2 for j in range(5)] for i in range(5)])
    return float(1 - (weights * observed).sum() / (weights * expected).sum())


def test_agreement_matches_independent_numbers(
    loaded: tuple[CliRunner, str, dict[str, Any]],
) -> None:
    ratings = loaded[2]["ratings"]
    report = run_json(loaded, "agreement")
    discovery = next(a for a in report["human"] if a["criterion_id"] == "discovery")
    by_call: dict[str, dict[str, int]] = {}
    for r in ratings:
        by_call.setdefault(r["call_id"], {})[r["rater"]] = r["level"]
    calls = sorted(by_call)
    coach = [by_call[c]["Coach Kim"] for c in calls]
    mgr = [by_call[c]["Mgr East"] for c in calls]
    assert discovery["calls"] == len(calls)
    assert discovery["exact"]["value"] == pytest.approx(
        np.mean([a == b for a, b in zip(coach, mgr, strict=True)])
    )
    within = np.mean([abs(a - b) <= 1 for a, b in zip(coach, mgr, strict=True)])
    assert discovery["within_one"]["value"] == pytest.approx(within)
    assert discovery["meets_target"] == (within >= 0.8)
    assert discovery["pairs"][0]["kappa"]["value"] == pytest.approx(kappa_quadratic(coach, mgr))
    alpha = krippendorff.alpha(
        reliability_data=[coach, mgr], level_of_measurement="ordinal", value_domain=[1, 2, 3, 4, 5]
    )
    assert discovery["alpha"]["value"] == pytest.approx(alpha)
    assert discovery["icc"]["value"] == pytest.approx(icc_a1(np.array([coach, mgr], dtype=float).T))
    far = [c for c in calls if abs(by_call[c]["Coach Kim"] - by_call[c]["Mgr East"]) > 1]
    assert {d["call_id"] for d in discovery["disagreements"]} == set(far)
    assert (discovery["flag"] is not None) == bool(far)
    untouched = next(a for a in report["human"] if a["criterion_id"] == "urgency_creation")
    assert untouched["calls"] == 0 and untouched["within_one"]["value"] is None
    assert untouched["within_one"]["reason"]
    vs_mgr = next(m for m in report["machine"] if m["rater"] == "Mgr East")
    assert (
        next(a for a in vs_mgr["criteria"] if a["criterion_id"] == "discovery")["exact"]["value"]
        == 1.0
    )


def test_outcomes_match_independent_numbers(loaded: tuple[CliRunner, str, dict[str, Any]]) -> None:
    truth = loaded[2]
    report = run_json(loaded, "outcomes", "--cycle", "2026-Q2")
    deals = sorted(truth["outcomes"])
    won = [int(truth["outcomes"][d]) for d in deals]
    assert (report["deals"], report["won"]) == (len(deals), sum(won))
    assert any("only" in w and "won deal(s)" in w for w in report["warnings"])  # fewer than 50
    for line in report["criteria"]:
        crit = line["criterion_id"]
        x = [
            statistics.mean(t["levels"][crit] for t in truth["calls"] if t["deal"] == d)
            for d in deals
        ]
        r = np.corrcoef(x, won)[0, 1]
        assert line["relation"]["correlation"]["value"] == pytest.approx(r)
        assert line["relation"]["n"] == len(deals)
        assert line["current_weight"] == WEIGHTS[crit]
    discovery = next(line for line in report["criteria"] if line["criterion_id"] == "discovery")
    assert discovery["relation"]["direction"] == "positive"
    suggested = report["suggested_weights"]
    assert suggested is not None and sum(suggested.values()) == 100
    assert all(isinstance(v, int) for v in suggested.values())
    positive = {
        line["criterion_id"]
        for line in report["criteria"]
        if line["relation"]["direction"] == "positive"
    }
    assert {c for c, w in suggested.items() if w > 0} == positive


def test_tables_read_like_a_report(loaded: tuple[CliRunner, str, dict[str, Any]]) -> None:
    runner, db, _ = loaded
    result = runner.invoke(
        app,
        ["--db", db, "priorities", "--rubric", RUBRIC, "--rep", "Ann Lee"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "what good looks like (level 4)" in result.output
    assert "of the overall score to win back" in result.output
    card = runner.invoke(
        app,
        ["--db", db, "scorecard", "--rubric", RUBRIC, "--rep", "Ann Lee"],
        env={"COLUMNS": "200"},
    )
    assert "your close rate" in card.output and "vs the team's" in card.output
    export = runner.invoke(
        app, ["--db", db, "export", "scores", "--rubric", RUBRIC, "--rep", "Ann Lee"]
    )
    lines = [json.loads(x) for x in export.stdout.splitlines()]
    assert len(lines) == CALLS_PER_REP and all(x["call_id"].startswith("ann-") for x in lines)
    missing = runner.invoke(app, ["--db", db, "scorecard", "--rubric", RUBRIC, "--rep", "Nobody"])
    assert missing.exit_code != 0


def test_coaching_sample_and_signals_through_the_cli(
    loaded: tuple[CliRunner, str, dict[str, Any]],
) -> None:
    truth = loaded[2]
    added = run_json(
        loaded,
        "coaching",
        "add",
        "Ann Lee",
        "discovery",
        "--date",
        "2026-04-20",
        "--note",
        "two open questions",
    )
    assert (added["rep"], added["criterion_id"], added["coach"]) == (
        "Ann Lee",
        "discovery",
        "Mgr East",
    )
    listed = run_json(loaded, "coaching", "list")
    assert [e["id"] for e in listed] == [added["id"]]
    report = run_json(loaded, "coaching", "report", "--as-of", "2026-05-10")
    (event,) = report["events"]
    assert event["status"] == "too_early" and event["rescore_after"] == "2026-05-20"
    later = run_json(loaded, "coaching", "report", "--as-of", "2026-07-31")
    (event,) = later["events"]
    ann = [t for t in truth["calls"] if t["rep"] == "Ann Lee"]
    # Ann's calls are 6 days apart from April 2: 3 before April 20, one on the coaching day
    # (counted on neither side) and 8 after it: fewer than 10, so still too early.
    before = [t["levels"]["discovery"] for t in ann if t["call"] < "ann-03"]
    after = [t["levels"]["discovery"] for t in ann if t["call"] > "ann-03"]
    assert event["before_calls"] == len(before) and event["before_mean"] == pytest.approx(
        statistics.mean(before)
    )
    assert event["after_calls"] == len(after) and event["status"] == "too_early"
    sample = run_json(loaded, "sample", "--cycle", "2026-Q2", "--seed", "5")
    assert all(len(line["calls"]) == 10 and line["flag"] is None for line in sample["reps"])
    assert run_json(loaded, "sample", "--cycle", "2026-Q2", "--seed", "5") == sample
    signals = run_json(loaded, "signals", "--cycle", "2026-Q2", "--rep", "Ann Lee")
    (rep,) = signals["reps"]
    assert rep["summary"]["means"]["talk_ratio"] == pytest.approx(8 / (6 + 8 + 4))
    assert rep["summary"]["means"]["patience_s"] == pytest.approx(1.0)
    assert len(signals["calls"]) == CALLS_PER_REP
