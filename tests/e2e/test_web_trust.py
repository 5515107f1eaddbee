"""The Trust and Teach the scorer pages, the trust API and the marks next to scores, by role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from callcoach.analytics.trust import CriterionFigures, Estimate
from callcoach.domain.access import Scope
from callcoach.services.scoring.teaching import SCORER
from callcoach.services.scoring.trust import _stamp
from callcoach.store.uow import Store
from tests.e2e.web_client import app_on, page_csrf, signed_in
from tests.e2e.web_org import RUBRIC, SmallOrg, build_small_org


def figures(criterion: str, value: float) -> dict[str, object]:
    share = Estimate(value, value - 0.1, min(1.0, value + 0.1), 40)
    return CriterionFigures(
        criterion,
        40,
        15,
        25,
        8,
        share,
        share,
        share,
        0,
        Estimate.undefined(0, "no rated call"),
        Estimate.undefined(0, "no rated call"),
    ).to_json()


@pytest.fixture
def org_app(store: Store) -> Iterator[tuple[FastAPI, SmallOrg, Store]]:
    org = build_small_org(store)
    # Measured agreement on record: close attempts agree with the team, discovery does not.
    with store.unit_of_work() as uow:
        stored = uow.rubrics.latest(RUBRIC)
        assert stored is not None
        uow.trust.save_report(
            stored.version_pk,
            SCORER,
            _stamp(uow, stored),
            {
                "close_attempt": figures("close_attempt", 0.9),
                "discovery": figures("discovery", 0.5),
            },
        )
    yield app_on(store), org, store


def test_trust_page_api_marks_and_audited_opt_in(org_app: tuple[FastAPI, SmallOrg, Store]) -> None:
    app, org, store = org_app
    mia = signed_in(app, "mia")
    page = mia.get("/trust").text
    assert 'data-state="trusted"' in page and 'data-state="not_trusted"' in page
    assert "Opt in" in page and "0.50" in page and "Measure now" not in page
    api = mia.get("/api/v1/trust").json()
    states = {c["criterion"]: (c["state"], c["in_decisions"]) for c in api["criteria"]}
    assert states["close_attempt"] == ("trusted", True)
    assert states["discovery"] == ("not_trusted", False)
    assert states["urgency_creation"] == ("learning", True) and api["fresh"] is True
    # The mark is next to the criterion's scores: the call page and the team page.
    call = mia.get(f"/calls/{org.calls_of_team('East')[0]}").text
    assert 'class="tag trust-not_trusted"' in call and "not trusted</a>" in call
    assert 'id="trust-marks"' in mia.get("/").text
    assert mia.get("/api/v1/scorecards").json()["trust"]["discovery"]["state"] == "not_trusted"
    detail = mia.get(f"/api/v1/calls/{org.calls_of_team('East')[0]}").json()
    assert detail["trust"][RUBRIC]["discovery"] == {
        "state": "not_trusted",
        "in_decisions": False,
        "opted_in": False,
        "reasons": detail["trust"][RUBRIC]["discovery"]["reasons"],
    }

    # A rep sees the page but may not opt in or teach.
    ana = signed_in(app, "ana")
    assert ana.get("/trust").status_code == 200 and "Opt in" not in ana.get("/trust").text
    token = page_csrf(ana)
    denied = ana.post(
        "/trust/opt-in",
        data={
            "rubric_id": RUBRIC,
            "criterion_id": "discovery",
            "opted_in": "yes",
            "csrf_token": token,
        },
    )
    assert denied.status_code == 403
    assert ana.get("/teach").status_code == 403

    token = page_csrf(mia, "/trust")
    done = mia.post(
        "/trust/opt-in",
        data={
            "rubric_id": RUBRIC,
            "criterion_id": "discovery",
            "opted_in": "yes",
            "note": "coached all quarter",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    with store.unit_of_work() as uow:
        entries = uow.audit.recent(action_prefix="trust.")
    assert [(e.actor, e.action, e.target) for e in entries] == [
        ("mia", "trust.opt_in", f"{RUBRIC}/discovery")
    ]
    assert "not trusted, opted in" in mia.get(f"/calls/{org.calls_of_team('East')[0]}").text


def test_teach_page_asks_one_moment_and_records_a_verdict(
    org_app: tuple[FastAPI, SmallOrg, Store],
) -> None:
    app, org, store = org_app
    mia = signed_in(app, "mia")
    page = mia.get("/teach", params={"criterion": "urgency_creation"}).text
    assert "Does turn" in page and "<kbd>C</kbd>" in page and "/static/teach.js" in page
    assert "Urgency" in page and 'id="moment"' in page
    call_id = page.split('name="call_id" value="')[1].split('"')[0]
    turn = int(page.split('name="turn" value="')[1].split('"')[0])
    assert call_id in org.calls_of_team("East")  # only the manager's own team's calls
    answered = mia.post(
        "/teach",
        data={
            "rubric_id": RUBRIC,
            "criterion_id": "urgency_creation",
            "call_id": call_id,
            "turn": turn,
            "answer": "confirmed",
            "skipped": "",
            "answered": 0,
            "csrf_token": page_csrf(mia, "/trust"),
        },
        follow_redirects=False,
    )
    assert answered.status_code == 303 and "answered=1" in answered.headers["location"]
    with store.unit_of_work() as uow:
        verdicts = uow.teaching.feedback(RUBRIC, scope=Scope.system("test"))
    assert [(v.call_id, v.segment, v.rater, v.verdict.value) for v in verdicts] == [
        (call_id, turn, "mia", "confirmed")
    ]
    # The next moment is a different one; a trusted criterion asks nothing.
    after = mia.get(answered.headers["location"]).text
    assert f'name="turn" value="{turn}"' not in after or call_id not in after
    trusted = mia.get("/teach", params={"criterion": "close_attempt"}).text
    assert 'id="teach-done"' in trusted and "is trusted" in trusted and "Does turn" not in trusted
