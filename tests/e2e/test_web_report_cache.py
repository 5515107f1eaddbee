"""Server processes share the team pages' reports through the database (both backends).

Two apps on one store stand for two `callcoach serve --workers 2` processes: a report one of
them built is read by the other, never across viewers who see different reps, and never after
the data changed.
"""

from __future__ import annotations

import re

from sqlalchemy import text

from callcoach.store.uow import Store
from tests.e2e.web_client import app_on, page_csrf, signed_in
from tests.e2e.web_org import build_small_org


def _heatmap(html: str) -> str:
    found = re.search(r'<script type="application/json" id="heatmap-data">(.*?)</script>', html)
    assert found, "the dashboard has no heatmap"
    return found.group(1)


def test_a_report_built_by_one_process_is_read_by_the_other(store: Store) -> None:
    build_small_org(store)
    first, second = app_on(store), app_on(store)
    one, two = first.state.report_cache, second.state.report_cache

    built = signed_in(first, "mia").get("/")
    assert built.status_code == 200 and (one.misses, one.shared_hits) == (1, 0)
    one.wait_for_writes()
    read = signed_in(second, "mia").get("/")
    assert (two.misses, two.shared_hits) == (0, 1)
    assert _heatmap(read.text) == _heatmap(built.text)

    rep_page = signed_in(first, "mia").get("/reps/Ana Alvarez")
    one.wait_for_writes()
    again = signed_in(second, "mia").get("/reps/Ana Alvarez")
    assert two.shared_hits == 2 and "Trend over cycles" in again.text
    assert re.findall(r"\d+\.\d\d", again.text) == re.findall(r"\d+\.\d\d", rep_page.text)


def test_shared_reports_follow_the_viewer_and_the_data(store: Store) -> None:
    build_small_org(store)
    first, second = app_on(store), app_on(store)
    two = second.state.report_cache
    signed_in(first, "mia").get("/")
    first.state.report_cache.wait_for_writes()

    # Another team's manager builds their own page: mia's is not theirs to read.
    west = signed_in(second, "wes").get("/")
    assert west.status_code == 200 and (two.misses, two.shared_hits) == (1, 0)
    assert "Ana Alvarez" not in _heatmap(west.text)

    # After an override the shared copy is stale: the next view computes again.
    mia = signed_in(second, "mia")
    response = mia.post(
        "/api/v1/calls/ana-1/overrides",
        json={"rubric_id": "one-call-close", "criterion_id": "discovery", "level": 5},
        headers={"X-CSRF-Token": page_csrf(mia)},
    )
    assert response.status_code == 201
    mia.get("/")
    assert (two.misses, two.shared_hits) == (2, 0)


def test_a_damaged_shared_copy_is_built_again(store: Store) -> None:
    build_small_org(store)
    first, second = app_on(store), app_on(store)
    signed_in(first, "mia").get("/")
    first.state.report_cache.wait_for_writes()
    with store.unit_of_work() as uow:
        uow.session.execute(
            text("UPDATE report_cache SET payload = :p"),
            {"p": b"not a report"},
        )
    page = signed_in(second, "mia").get("/")
    two = second.state.report_cache
    assert page.status_code == 200 and (two.misses, two.shared_hits) == (1, 0)
