"""The calls list as a working list (filters, sorting, the CSV of what is shown) and the web
defects found when tried as a new user would (issue 13, section 6)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from html import unescape

from fastapi import FastAPI
from fastapi.testclient import TestClient

from callcoach.domain.calls import Call, Segment, SpeakerRole
from callcoach.services.accounts.tokens import create_token
from callcoach.store.uow import Store
from tests.e2e.web_client import app_on, page_csrf, signed_in
from tests.e2e.web_org import REPS, SmallOrg, build_small_org

ROW = re.compile(r'<tr>\s*<td><a href="/calls/([^"]+)">')


def listed(html: str) -> list[str]:
    return ROW.findall(html)


def org_app(store: Store) -> tuple[FastAPI, SmallOrg]:
    org = build_small_org(store, calls_per_rep=4)
    return app_on(store), org


def api_all(store: Store, app: FastAPI, **params: str) -> list[dict[str, object]]:
    _, token = create_token(store, "admin", "list")
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    response = api.get("/api/v1/calls", params={"limit": "200", **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


def test_filters_sorting_and_the_csv_of_what_is_shown(sqlite_store: Store) -> None:
    app, org = org_app(sqlite_store)
    admin = signed_in(app, "admin")
    everything = api_all(sqlite_store, app, criterion="close_attempt")
    assert len(everything) == 16

    # Rep and team filters.
    ana = listed(admin.get("/calls", params={"rep": "Ana Alvarez"}).text)
    assert sorted(ana) == sorted(org.calls_by_rep["Ana Alvarez"])
    west = listed(admin.get("/calls", params={"team": "West"}).text)
    assert sorted(west) == sorted(org.calls_of_team("West"))

    # Outcome: the won calls, exactly those whose deal was won.
    won = listed(admin.get("/calls", params={"outcome": "won"}).text)
    assert sorted(won) == sorted(str(c["id"]) for c in everything if c["deal_outcome"] == "won")

    # A level range on a criterion, checked against every call's level.
    levels = {str(c["id"]): c["level"] for c in everything}
    assert all(isinstance(v, int) for v in levels.values())
    low = listed(
        admin.get(
            "/calls", params={"criterion": "close_attempt", "level_min": "1", "level_max": "3"}
        ).text
    )
    assert sorted(low) == sorted(k for k, v in levels.items() if v <= 3)  # type: ignore[operator]

    # Dates: inclusive on both ends.
    dates = sorted({str(c["date"])[:10] for c in everything})
    first_day = dates[0]
    one_day = listed(admin.get("/calls", params={"from": first_day, "to": first_day}).text)
    assert sorted(one_day) == sorted(
        str(c["id"]) for c in everything if str(c["date"])[:10] == first_day
    )

    # Sorting by rep ascending, then by account descending: a click on a header.
    by_rep = admin.get("/calls", params={"sort": "rep"}).text
    reps_in_order = [c for c in listed(by_rep)]
    expected = sorted(everything, key=lambda c: (str(c["rep"]), -int(str(c["id"]).split("-")[1])))
    assert [org_rep(c, org) for c in reps_in_order] == [str(c["rep"]) for c in expected]
    assert 'aria-sort="ascending"' in by_rep

    # The CSV is what the screen shows: same filters, same order, every page.
    params = {"team": "East", "sort": "overall", "criterion": "close_attempt"}
    shown = listed(admin.get("/calls", params=params).text)
    exported = admin.get("/calls.csv", params=params)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["call_id"] for r in rows] == shown
    assert all(int(r["level_close_attempt"]) == levels[r["call_id"]] for r in rows)
    overall = [float(r["overall"]) for r in rows]
    assert overall == sorted(overall, reverse=True)


def org_rep(call_id: str, org: SmallOrg) -> str:
    return next(rep for rep, calls in org.calls_by_rep.items() if call_id in calls)


def test_a_manager_filters_and_exports_only_their_teams(sqlite_store: Store) -> None:
    app, org = org_app(sqlite_store)
    mia = signed_in(app, "mia")
    assert sorted(listed(mia.get("/calls").text)) == sorted(org.calls_of_team("East"))
    # Asking for another team's rep shows nothing, and the export holds nothing either.
    other = {"rep": "Cara Chen"}
    assert listed(mia.get("/calls", params=other).text) == []
    rows = list(csv.DictReader(io.StringIO(mia.get("/calls.csv", params=other).text)))
    assert rows == []
    everything = list(csv.DictReader(io.StringIO(mia.get("/calls.csv").text)))
    assert {r["rep"] for r in everything} == {r for r, t in REPS.items() if t == "East"}


def test_bad_filters_are_explained_and_a_page_past_the_end_goes_to_the_last(
    sqlite_store: Store,
) -> None:
    app, _ = org_app(sqlite_store)
    admin = signed_in(app, "admin")
    bad = admin.get("/calls", params={"from": "2026-13-01"})
    assert bad.status_code == 400 and "from: '2026-13-01' is not a date" in unescape(bad.text)
    backwards = admin.get("/calls", params={"from": "2026-08-01", "to": "2026-07-01"})
    assert backwards.status_code == 400 and "is before from" in backwards.text
    far = admin.get("/calls", params={"page": "999999", "team": "East"}, follow_redirects=False)
    assert far.status_code == 303 and far.headers["location"] == "/calls?team=East"
    shown = admin.get("/calls", params={"page": "999999"})
    assert "Page 999999" not in shown.text


def test_unknown_pages_answer_html_and_the_api_json(sqlite_store: Store) -> None:
    app, _ = org_app(sqlite_store)
    admin = signed_in(app, "admin")
    page = admin.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "there is no page at /no/such/page" in page.text
    api = admin.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}


def test_a_call_whose_id_has_a_slash_opens_and_takes_overrides(sqlite_store: Store) -> None:
    app, _ = org_app(sqlite_store)
    with sqlite_store.unit_of_work() as uow:
        rep_row = uow.people.rep_row("Ana Alvarez")
        assert rep_row is not None
        segments = [
            Segment(
                0, "Ana", SpeakerRole.REP, "What would fixing month end be worth to you?", 0, 5
            ),
            Segment(1, "Pat", SpeakerRole.PROSPECT, "A couple of days every month.", 6, 9),
        ]
        uow.calls.save(
            Call("zoom/2026-07/abc", segments, rep="Ana Alvarez", account="Slash Co"),
            rep_row.id,
            None,
        )
    admin = signed_in(app, "admin")
    page = admin.get("/calls/zoom/2026-07/abc")
    assert page.status_code == 200 and "Slash Co" in page.text
    assert "zoom/2026-07/abc" in listed(admin.get("/calls", params={"q": "Slash"}).text)
    _, token = create_token(sqlite_store, "admin", "slash")
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    assert api.get("/api/v1/calls/zoom/2026-07/abc").json()["id"] == "zoom/2026-07/abc"
    assert api.get("/api/v1/calls/zoom/2026-07/abc/scores").status_code == 200


def test_the_coaching_form_is_labelled_and_refuses_a_date_in_the_future(
    sqlite_store: Store,
) -> None:
    app, _ = org_app(sqlite_store)
    mia = signed_in(app, "mia")
    page = mia.get("/reps/Ana Alvarez").text
    form = page[
        page.index('class="coaching-form"') : page.index(
            "</form>", page.index('class="coaching-form"')
        )
    ]
    labels = re.findall(r"<label[^>]*>(.*?)</label>", form, flags=re.S)
    for field in ("criterion_id", "coached_on", "note"):
        # Every field sits inside a label with words of its own.
        (block,) = [b for b in labels if f'name="{field}"' in b]
        assert re.sub(r"<[^>]+>", "", block).strip(), field
    future = (date.today() + timedelta(days=400)).isoformat()
    refused = mia.post(
        "/reps/Ana Alvarez/coaching",
        data={
            "csrf_token": page_csrf(mia, "/reps/Ana Alvarez"),
            "rubric_id": "one-call-close",
            "criterion_id": "close_attempt",
            "coached_on": future,
        },
    )
    assert refused.status_code == 400
    assert f"the coaching date {future} is in the future" in unescape(refused.text)
