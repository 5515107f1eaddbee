"""A calibration set rated blind in the web app (issue 16 §4): two managers rate the same calls,
neither sees the other's levels until both are in, then both see the comparison and the ratings
feed `agreement`."""

from __future__ import annotations

import pytest

from callcoach.domain.access import SYSTEM
from callcoach.services.accounts.users import add_user
from callcoach.services.assessment.agreement import build_agreement
from callcoach.services.assessment.query import AssessmentQuery
from callcoach.services.common import ServiceError
from callcoach.store.uow import Store
from tests.e2e.web_client import app_on, page_csrf, signed_in
from tests.e2e.web_org import PASSWORD, RUBRIC, SmallOrg, build_small_org


@pytest.fixture
def org(store: Store) -> tuple[Store, SmallOrg]:
    built = build_small_org(store)
    add_user(store, "max", "manager", PASSWORD, teams=["East"])  # a second East manager
    return store, built


def _criteria(store: Store) -> list[str]:
    with store.unit_of_work() as uow:
        return [c.id for c in uow.rubrics.versions(RUBRIC)[-1].rubric.criteria]


def _rate(client, set_id: int, call: str, levels: dict[str, int]):  # type: ignore[no-untyped-def]
    data = {"csrf_token": page_csrf(client, f"/calibration/{set_id}")}
    data.update({f"level_{c}": str(level) for c, level in levels.items()})
    return client.post(f"/calibration/{set_id}/calls/{call}", data=data, follow_redirects=False)


def test_two_managers_rate_blind_then_compare_and_feed_agreement(
    org: tuple[Store, SmallOrg],
) -> None:
    store, built = org
    calls = built.calls_of_team("East")[:3]
    criteria = _criteria(store)
    app = app_on(store)
    mia = signed_in(app, "mia")
    created = mia.post(
        "/calibration",
        data={
            "csrf_token": page_csrf(mia, "/calibration"),
            "name": "East calibration",
            "calls": "\n".join(calls),
            "raters": "mia, max",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    set_path = created.headers["location"]
    set_id = int(set_path.rsplit("/", 1)[1])

    mia_levels = {c: 2 for c in criteria}
    max_levels = {c: (5 if i == 0 else 3) for i, c in enumerate(criteria)}
    for call in calls:
        assert _rate(mia, set_id, call, mia_levels).status_code == 303
    # Mia is done; Max has rated nothing. Max sees no level of Mia's, Mia none of Max's.
    max_client = signed_in(app, "max")
    page = max_client.get(set_path).text
    assert "mia: 3 of 3 call(s) rated" in page and "Levels stay hidden" in page
    assert 'value="2" required checked' not in page
    for call in calls[:2]:
        assert _rate(max_client, set_id, call, max_levels).status_code == 303
    assert 'value="5" required checked' not in mia.get(set_path).text  # Max's 5 stays hidden
    # A manager of another team, and a rep, cannot open the set at all.
    assert signed_in(app, "wes").get(set_path).status_code == 404
    assert signed_in(app, "ana").get(set_path).status_code in (403, 404)
    # Nothing reaches agreement before the set is released.
    query = AssessmentQuery(rubric=RUBRIC)
    assert build_agreement(store, query, viewer=SYSTEM).ratings == 0

    assert _rate(max_client, set_id, calls[2], max_levels).status_code == 303
    released = mia.get(set_path).text
    assert "Within one point" in released and "max 5" in released and "mia 2" in released
    # The first criterion is 3 apart on every call (not within one), the others 1 apart.
    share = (len(criteria) - 1) / len(criteria)
    assert f"{round(100 * share)}%" in released
    assert criteria[0] in released.split("Anchors to sharpen:")[1]
    report = build_agreement(store, query, viewer=SYSTEM)
    assert report.raters == ["max", "mia"]
    assert report.ratings == 2 * len(calls) * len(criteria)
    # Released levels are final.
    again = _rate(mia, set_id, calls[0], mia_levels)
    assert again.status_code == 400 and "released" in again.text


def test_bad_sets_are_refused_with_the_reason(org: tuple[Store, SmallOrg]) -> None:
    from callcoach.services.assessment.calibration_sets import create_calibration_set

    store, built = org
    east = built.calls_of_team("East")[:2]
    west = built.calls_of_team("West")[:1]
    with pytest.raises(ServiceError, match="two raters"):
        create_calibration_set(store, SYSTEM, name="x", rubric=RUBRIC,
                               call_ids=east, raters=["mia"])  # fmt: skip
    with pytest.raises(ServiceError, match="wes may not see call"):
        create_calibration_set(store, SYSTEM, name="x", rubric=RUBRIC, call_ids=east,
                               raters=["mia", "wes"])  # fmt: skip
    with pytest.raises(ServiceError, match="is a rep"):
        create_calibration_set(store, SYSTEM, name="x", rubric=RUBRIC, call_ids=east,
                               raters=["mia", "ana"])  # fmt: skip
    app = app_on(store)
    mia = signed_in(app, "mia")
    foreign = mia.post(
        "/calibration",
        data={"csrf_token": page_csrf(mia, "/calibration"), "name": "x",
              "calls": west[0], "raters": "mia, max"},
    )  # fmt: skip
    assert foreign.status_code == 404  # another team's call looks like no call
