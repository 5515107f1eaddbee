"""Acceptance: a hand-made organisation (tests/fixtures/reviews: CSV and JSONL files) imported
through the CLI; every number of the review pack is recomputed here from the files, without
callcoach's code, and must match `review prepare --format json`."""

from __future__ import annotations

import csv
import json
import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scipy import stats
from typer.testing import CliRunner

from callcoach.cli import app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "reviews"
AS_OF = date(2026, 6, 30)
WINDOW_START = AS_OF - timedelta(days=59)
RUBRIC = "review-test"
EAST = ["Ana Ruiz", "Ben Ode", "Cy Park", "Dee Hale"]
PASSWORD = "correct horse battery"


def rows(name: str) -> list[dict[str, str]]:
    with (FIXTURES / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


class Ran:
    """A command's exit code and everything it said (a refused command raises the service's
    error, which `callcoach` prints as `error: ...` on stderr and exits with 1)."""

    def __init__(self, result: Any) -> None:
        self.exit_code = 1 if result.exception is not None else result.exit_code
        self.stdout = result.stdout
        self.output = result.output + (str(result.exception) if result.exception else "")


def cli(db: str, *args: str, ok: bool = True) -> Ran:
    result = Ran(CliRunner().invoke(app, ["--db", db, *args]))
    if ok:
        assert result.exit_code == 0, (args, result.output)
    return result


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = str(tmp_path_factory.mktemp("reviews") / "reviews.db")
    cli(db, "init")
    cli(db, "rubric", "add", str(FIXTURES / "rubric.yaml"))
    for kind, name in (
        ("reps", "reps.csv"),
        ("calls", "calls.jsonl"),
        ("deals", "deals.csv"),
        ("activities", "activities.csv"),
        ("quotas", "quotas.csv"),
        ("scores", "scores.jsonl"),
        ("ratings", "ratings.csv"),
    ):
        # Calls are imported without the scoring job that follows imports by default: the
        # fixture's own scores (scorer "vendor") are what this organisation is assessed on.
        extra = ("--no-score",) if kind == "calls" else ()
        cli(db, "import", kind, str(FIXTURES / name), *extra)
    cli(
        db,
        "coaching",
        "add",
        "Ben Ode",
        "objection_handling",
        "--date",
        "2026-04-10",
        "--rubric",
        RUBRIC,
    )
    cli(db, "user", "add", "mia", "--role", "manager", "--team", "East", "--password", PASSWORD)
    cli(db, "user", "add", "ana", "--role", "rep", "--rep", "Ana Ruiz", "--password", PASSWORD)
    cli(db, "user", "add", "wu", "--role", "rep", "--rep", "Wu Lee", "--password", PASSWORD)
    packs = {}
    for rep in ("Ana Ruiz", "Ben Ode", "Cy Park", "Dee Hale"):
        out = cli(
            db,
            "review",
            "prepare",
            "--rep",
            rep,
            "--as-of",
            AS_OF.isoformat(),
            "--rubric",
            RUBRIC,
            "--format",
            "json",
        )
        data = json.loads(out.stdout)
        packs[rep] = (data["review"], data["pack"])
    return {"db": db, "packs": packs}


def calls() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (FIXTURES / "calls.jsonl").read_text().splitlines()]


def levels() -> dict[str, dict[str, int]]:
    result = {}
    for line in (FIXTURES / "scores.jsonl").read_text().splitlines():
        data = json.loads(line)
        result[data["call_id"]] = {c["id"]: c["level"] for c in data["criteria"]}
    return result


def in_window(when: date | None) -> bool:
    return when is not None and WINDOW_START <= when <= AS_OF


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) < 1e-9


def bucket_deals(pack: dict[str, Any], key: str) -> set[str]:
    return {pack["evidence"][i]["deal_id"] for i in pack["buckets"][key]}


def test_deal_buckets_match_the_files(org: dict[str, Any]) -> None:
    deals = rows("deals.csv")
    last_call: dict[str, date] = {}
    for call in calls():
        when = datetime.fromisoformat(call["date"]).date()
        if when <= AS_OF:
            last_call[call["deal_id"]] = max(last_call.get(call["deal_id"], when), when)
    for rep in ("Ana Ruiz", "Ben Ode", "Cy Park"):
        _, pack = org["packs"][rep]
        mine = [d for d in deals if d["rep"] == rep]
        won = {
            d["deal_id"] for d in mine if d["outcome"] == "won" and in_window(day(d["close_date"]))
        }
        lost_verbal = {
            d["deal_id"]
            for d in mine
            if d["outcome"] == "lost"
            and in_window(day(d["close_date"]))
            and d["verbal_commit_date"]
        }
        stalled = set()
        for d in mine:
            if d["outcome"] in ("won", "lost") and day(d["close_date"]) <= AS_OF:  # type: ignore[operator]
                continue
            touches = [
                day(d[k])
                for k in (
                    "stage_changed_date",
                    "last_activity_date",
                    "created_date",
                    "verbal_commit_date",
                )
                if d[k]
            ]
            touches += [last_call[d["deal_id"]]] if d["deal_id"] in last_call else []
            if (AS_OF - max(touches)).days >= 30:  # type: ignore[type-var]
                stalled.add(d["deal_id"])
        assert bucket_deals(pack, "won") == won
        assert bucket_deals(pack, "lost_after_verbal") == lost_verbal
        assert bucket_deals(pack, "stalled") == stalled
    # Ben's fixture has each kind, so the comparison above is not of empty sets.
    _, ben = org["packs"]["Ben Ode"]
    assert (
        ben["buckets"]["lost_after_verbal"] and ben["buckets"]["stalled"] and ben["buckets"]["won"]
    )


def _metric(pack: dict[str, Any], dimension: str, key: str) -> dict[str, Any]:
    dim = next(d for d in pack["dimensions"] if d["dimension"] == dimension)
    return next(m for m in dim["metrics"] if m["metric"] == key)


def test_output_and_activity_metrics_and_team_benchmarks(org: dict[str, Any]) -> None:
    deals = rows("deals.csv")
    quotas = rows("quotas.csv")
    activity = rows("activities.csv")

    def output(reps: list[str]) -> dict[str, float | None]:
        mine = [d for d in deals if d["rep"] in reps]
        won = [d for d in mine if d["outcome"] == "won" and in_window(day(d["close_date"]))]
        lost = [d for d in mine if d["outcome"] == "lost" and in_window(day(d["close_date"]))]
        quota = sum(float(q["amount"]) for q in quotas if q["rep"] in reps)
        won_q = sum(
            float(d["amount"])
            for d in mine
            if d["outcome"] == "won" and date(2026, 4, 1) <= day(d["close_date"]) <= AS_OF
        )  # type: ignore[operator]
        cycles = [(day(d["close_date"]) - day(d["created_date"])).days for d in won]  # type: ignore[operator]
        return {
            "quota_attainment": won_q / quota if quota else None,
            "average_deal_size": statistics.fmean(float(d["amount"]) for d in won) if won else None,
            "win_rate": len(won) / (len(won) + len(lost)) if won or lost else None,
            "cycle_length": float(statistics.median(cycles)) if cycles else None,
            "open_pipeline": sum(
                float(d["amount"]) for d in mine if d["outcome"] in ("open", "stalled")
            ),
            "quota_left": quota - won_q,
        }

    def counts(rep: str) -> dict[str, float]:
        mine = [a for a in activity if a["rep"] == rep and in_window(day(a["date"]))]
        return {
            k: float(sum(int(a[k]) for a in mine))
            for k in ("calls_made", "meetings_booked", "proposals_sent")
        }

    team = output(EAST)
    with_activity = [r for r in EAST if any(a["rep"] == r for a in activity)]
    for rep in ("Ana Ruiz", "Ben Ode", "Cy Park"):
        _, pack = org["packs"][rep]
        mine = output([rep])
        for key in ("quota_attainment", "average_deal_size", "win_rate", "cycle_length"):
            metric = _metric(pack, "output", key)
            assert close(metric["value"], mine[key]), (rep, key, metric["value"], mine[key])
            assert close(metric["team_value"], team[key]), (rep, key)
        for key, value in counts(rep).items():
            metric = _metric(pack, "activity", key)
            assert close(metric["value"], value), (rep, key)
            team_mean = statistics.fmean(counts(r)[key] for r in with_activity)
            assert close(metric["team_value"], team_mean), (rep, key)
        coverage = _metric(pack, "activity", "pipeline_coverage")
        expected = mine["open_pipeline"] / mine["quota_left"] if mine["quota_left"] > 0 else None
        assert close(coverage["value"], expected), (rep, coverage["value"], expected)  # type: ignore[arg-type]


def test_skill_means_tenure_weights_and_leverage_order(org: dict[str, Any]) -> None:
    scored = levels()
    window_calls = [c for c in calls() if in_window(datetime.fromisoformat(c["date"]).date())]
    criteria = [
        "discovery",
        "urgency_creation",
        "objection_handling",
        "close_attempt",
        "value_articulation",
    ]
    weights = dict(zip(criteria, [20, 25, 25, 20, 10], strict=True))
    team_calls = [c for c in window_calls if c["rep"] in EAST and c["call_id"] in scored]
    team_mean = {k: statistics.fmean(scored[c["call_id"]][k] for c in team_calls) for k in criteria}
    # The organisation's closed deals with scored calls in the 180 days up to the as-of day.
    outcome = {
        d["deal_id"]: d["outcome"] == "won"
        for d in rows("deals.csv")
        if d["outcome"] in ("won", "lost")
    }
    since = AS_OF - timedelta(days=180)
    per_deal: dict[str, list[dict[str, int]]] = defaultdict(list)
    for c in calls():
        if (
            c["call_id"] in scored
            and c["deal_id"] in outcome
            and since <= datetime.fromisoformat(c["date"]).date() <= AS_OF
        ):
            per_deal[c["deal_id"]].append(scored[c["call_id"]])
    r_of = {}
    for k in criteria:
        xs = [statistics.fmean(lv[k] for lv in per_deal[d]) for d in per_deal]
        ys = [1.0 if outcome[d] else 0.0 for d in per_deal]
        r_of[k] = float(stats.pointbiserialr(ys, xs).statistic)
    expected_weights = {
        "Ana Ruiz": {"output": 20, "activity": 30, "skill": 30, "growth": 20},
        "Cy Park": {"output": 50, "activity": 0, "skill": 50, "growth": 0},
    }
    start_ben = date(2025, 9, 30)
    share = ((AS_OF - start_ben).days / 30.4375 - 6) / 6
    ramp, tenured = expected_weights["Ana Ruiz"], expected_weights["Cy Park"]
    expected_weights["Ben Ode"] = {d: ramp[d] + (tenured[d] - ramp[d]) * share for d in ramp}
    for rep in ("Ana Ruiz", "Ben Ode", "Cy Park"):
        _, pack = org["packs"][rep]
        for dim, weight in expected_weights[rep].items():
            assert abs(pack["weights"][dim] - weight) < 1e-9, (rep, dim)
        mine = [c for c in window_calls if c["rep"] == rep and c["call_id"] in scored]
        rep_mean = {k: statistics.fmean(scored[c["call_id"]][k] for c in mine) for k in criteria}
        for line in pack["skill"]["lines"]:
            assert close(line["mean"], rep_mean[line["criterion_id"]])
            assert close(line["team_mean"], team_mean[line["criterion_id"]])
        below = [k for k in criteria if team_mean[k] > rep_mean[k]]
        leverage = {
            k: (team_mean[k] - rep_mean[k]) * weights[k] / 100 * (1 + max(r_of[k], 0.0))
            for k in below
        }
        order = sorted(below, key=lambda k: (-leverage[k], -weights[k], criteria.index(k)))
        assert [g["criterion_id"] for g in pack["plan"]["gaps"]] == order, rep
        for gap in pack["plan"]["gaps"]:
            assert abs(gap["leverage"] - leverage[gap["criterion_id"]]) < 1e-9
    assert pack["stage"] == "tenured"
    assert org["packs"]["Ben Ode"][1]["stage"] == "between"
    assert org["packs"]["Ana Ruiz"][1]["stage"] == "ramping"


def test_manual_path_and_thin_evidence(org: dict[str, Any]) -> None:
    _, pack = org["packs"]["Dee Hale"]
    assert pack["skill"]["source"] == "manual"
    assert pack["manual_review"] is not None
    assert 5 <= len(pack["manual_review"]["calls"]) <= 10
    ratings = rows("ratings.csv")
    window_ids = {
        c["call_id"]
        for c in calls()
        if c["rep"] == "Dee Hale" and in_window(datetime.fromisoformat(c["date"]).date())
    }
    rated = [r for r in ratings if r["call_id"] in window_ids and r["criterion_id"] == "discovery"]
    expected = statistics.fmean(int(r["level"]) for r in rated)
    line = next(x for x in pack["skill"]["lines"] if x["criterion_id"] == "discovery")
    assert close(line["mean"], expected) and line["source"] == "manual"
    assert any(
        "no scored" in t or "scored calls" in t
        for t in pack["thin"] + [pack["manual_review"]["reason"]]
    )


def test_self_assessment_gaps_draft_check_and_close(org: dict[str, Any]) -> None:
    db = org["db"]
    review, pack = org["packs"]["Ana Ruiz"]
    rid = str(review)
    # Bad input changes nothing.
    bad = cli(db, "review", "self-assess", rid, "--as", "ana", "--rating", "output=6", ok=False)
    assert bad.exit_code == 1 and "out of range" in bad.output
    shown = json.loads(cli(db, "review", "show", rid, "--format", "json").stdout)
    assert shown["self_assessment"] is None
    refused = cli(db, "review", "close", rid, ok=False)
    assert (
        refused.exit_code == 1
        and "missing" in refused.output
        and "self-assessment" in refused.output
    )
    # The rep enters her self-assessment before she can read anything.
    mine = {"output": 4, "activity": 3, "skill": 4, "growth": 2}
    args = [
        a
        for d, v in mine.items()
        for a in ("--rating", f"{d}={v}", "--words", f"{d}=My view of {d}")
    ]
    cli(db, "review", "self-assess", rid, "--as", "ana", *args)
    shown = json.loads(cli(db, "review", "show", rid, "--format", "json").stdout)
    proposed = {d["dimension"]: d["proposed"] for d in shown["pack"]["dimensions"]}
    for gap in shown["perception_gaps"]:
        evidence = proposed[gap["dimension"]]
        assert gap["gap"] == (None if evidence is None else mine[gap["dimension"]] - evidence)
    # Every sentence of the generated draft cites evidence that resolves and holds its quotes.
    draft = json.loads(cli(db, "review", "draft", rid, "--format", "json").stdout)
    evidence = pack["evidence"]
    import re

    for sentence in draft["check"]["sentences"]:
        assert sentence["status"] in ("ok", "generic"), (sentence["text"], sentence["problems"])
        for cited in sentence["cites"]:
            assert cited in evidence or cited.startswith(("self-", "rating-")), cited
        for quote in re.findall(r"“([^”]*)”", sentence["text"]):
            texts = [
                t
                for c in sentence["cites"]
                if c in evidence
                for t in (
                    evidence[c].get("quote"),
                    evidence[c].get("prospect_quote"),
                    evidence[c].get("good_anchor"),
                    evidence[c].get("words"),
                )
                if t
            ]
            if not sentence["cites"][0].startswith("self-"):
                assert any(quote in t for t in texts), (quote, sentence)
    assert draft["summary"]["flagged"] == 0 and draft["summary"]["ok"] >= 10
    # An edited sentence with an invented quote, or an invented number, is flagged.
    moment = next(i for i, e in evidence.items() if e["kind"] == "moment" and e.get("quote"))
    edited = draft["text"] + (
        f"\n- On that call you said “we will give you a free month” [{moment}].\n"
        f"- You closed 97 deals in the window [{moment}].\n"
    )
    path = Path(db).with_name("edited.md")
    path.write_text(edited, encoding="utf-8")
    saved = json.loads(
        cli(db, "review", "draft", rid, "--edit", str(path), "--format", "json").stdout
    )
    flagged = [s for s in saved["check"]["sentences"] if s["status"] == "flagged"]
    assert len(flagged) == 2
    assert "quote" in flagged[0]["problems"][0] and "97" in flagged[1]["problems"][0]


def test_bad_input_is_refused_and_changes_nothing(org: dict[str, Any]) -> None:
    db = org["db"]
    before = json.loads(cli(db, "review", "list", "--format", "json").stdout)
    unknown = cli(db, "review", "prepare", "--rep", "Nobody Here", "--rubric", RUBRIC, ok=False)
    assert unknown.exit_code == 1 and "no rep 'Nobody Here'" in unknown.output
    empty = cli(
        db,
        "review",
        "prepare",
        "--rep",
        "Wu Lee",
        "--as-of",
        "2025-01-31",
        "--rubric",
        RUBRIC,
        ok=False,
    )
    assert empty.exit_code == 1 and "no data for Wu Lee" in empty.output
    after = json.loads(cli(db, "review", "list", "--format", "json").stdout)
    assert len(after) == len(before)


def test_role_isolation_on_the_command_line(org: dict[str, Any]) -> None:
    db = org["db"]
    ben_review, _ = org["packs"]["Ben Ode"]
    ana_review, _ = org["packs"]["Cy Park"]
    # Another rep's review does not exist for Wu (West) nor for Ana.
    for user in ("wu", "ana"):
        result = cli(db, "review", "show", str(ben_review), "--as", user, ok=False)
        assert result.exit_code == 1 and f"no review {ben_review}" in result.output
        listed = json.loads(cli(db, "review", "list", "--as", user, "--format", "json").stdout)
        assert all(r["rep"] == {"wu": "Wu Lee", "ana": "Ana Ruiz"}[user] for r in listed)
    # The manager of East sees it; a rep cannot prepare, rate or share.
    assert cli(db, "review", "show", str(ana_review), "--as", "mia").exit_code == 0
    refused = cli(db, "review", "share", str(ben_review), "--as", "ana", ok=False)
    assert refused.exit_code == 1


def test_growth_on_the_coached_criterion_quarter_over_quarter(org: dict[str, Any]) -> None:
    _, pack = org["packs"]["Ben Ode"]
    scored = levels()
    end = AS_OF + timedelta(days=1)
    middle, start = end - timedelta(days=91), end - timedelta(days=182)
    ben = [c for c in calls() if c["rep"] == "Ben Ode" and c["call_id"] in scored]

    def quarter(low: date, high: date) -> list[int]:
        return [
            scored[c["call_id"]]["objection_handling"]
            for c in ben
            if low <= datetime.fromisoformat(c["date"]).date() < high
        ]

    before, after = quarter(start, middle), quarter(middle, end)
    line = next(g for g in pack["growth"]["lines"] if g["criterion_id"] == "objection_handling")
    assert line["coached"] and line["previous_n"] == len(before) and line["current_n"] == len(after)
    assert close(line["change"], statistics.fmean(after) - statistics.fmean(before))
    interval = stats.ttest_ind(after, before, equal_var=False).confidence_interval(0.95)
    assert close(line["ci_low"], float(interval.low)) and close(
        line["ci_high"], float(interval.high)
    )
    growth = next(d for d in pack["dimensions"] if d["dimension"] == "growth")
    change = line["change"]
    expected = 1 + sum(1 for bound in (-0.5, -0.2, 0.5, 1.0) if change >= bound)
    assert growth["proposed"] == expected


def test_a_team_cycle_is_a_job_and_never_prepares_a_rep_twice(
    tmp_path: Path, org: dict[str, Any]
) -> None:
    """`review prepare --team` runs as a job (recorded, shown by `callcoach jobs`); running the
    cycle again, as a resumed job does, skips the reps whose pack it already stored."""
    import sqlite3
    from contextlib import closing

    db = str(tmp_path / "cycle.db")
    # The database runs in WAL mode: a file copy can miss what is still in the -wal file, so
    # the copy goes through SQLite's own backup.
    with closing(sqlite3.connect(org["db"])) as source, closing(sqlite3.connect(db)) as target:
        source.backup(target)
    args = ("review", "prepare", "--team", "East", "--as-of", "2026-05-31", "--rubric", RUBRIC)
    first = json.loads(cli(db, *args, "--format", "json").stdout)
    prepared = {p["rep"] for p in first["prepared"]}
    assert prepared and prepared | {f["rep"] for f in first["failed"]} == set(EAST)
    jobs = json.loads(cli(db, "jobs", "--format", "json").stdout)
    (job,) = [j for j in jobs["jobs"] if j["kind"] == "review-packs"]
    assert job["status"] == "done"
    again = json.loads(cli(db, *args, "--format", "json").stdout)
    assert again["prepared"] == []
    assert {a["rep"] for a in again["already"]} == prepared
    assert {a["review"] for a in again["already"]} == {p["review"] for p in first["prepared"]}
