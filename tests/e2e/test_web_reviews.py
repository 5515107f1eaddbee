"""Reviews over HTTP: the manager's and the rep's pages and the API on a real app and store.

A rep reads only their own review, never the manager's draft, and only after their
self-assessment is on record; a manager only their team's; every read is audit-logged.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from callcoach.domain.access import SYSTEM
from callcoach.services.reviews.prepare import prepare_review
from callcoach.settings import Settings
from callcoach.store.db import Database
from callcoach.store.uow import Store
from tests.e2e.web_client import app_on, page_csrf, signed_in
from tests.e2e.web_org import RUBRIC, build_small_org

AS_OF = date(2026, 9, 30)
SELF = {
    f"{d}_{k}": v
    for d in ("output", "activity", "skill", "growth")
    for k, v in (("rating", "4"), ("words", f"My {d} went well"))
}


def prepare_reviews(store: Store) -> dict[str, int]:
    settings = Settings(db=store.database.url, review_window_days=120)
    return {
        rep: prepare_review(
            store,
            rep,
            rubric=RUBRIC,
            as_of=AS_OF,
            viewer=SYSTEM,
            settings=settings,
            preferred_scorer="fake",
        ).review_id
        for rep in ("Ana Alvarez", "Cara Chen")
    }


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[Store, dict[str, int]]]:
    database = Database(str(tmp_path / "web.db"))
    database.migrate()
    store = Store(database)
    build_small_org(store, calls_per_rep=6)
    yield store, prepare_reviews(store)
    store.close()


def test_a_rep_never_reads_another_reps_review_by_any_route(
    web: tuple[Store, dict[str, int]],
) -> None:
    store, ids = web
    app = app_on(store)
    ana = signed_in(app, "ana")
    other = ids["Cara Chen"]
    assert ana.get(f"/reviews/{other}").status_code == 404
    assert ana.get(f"/api/v1/reviews/{other}").status_code == 404
    assert ana.get(f"/api/v1/reviews/{other}/export?format=pdf").status_code == 404
    assert ana.get(f"/reviews/{other}/export.pdf").status_code == 404
    assert all(r["rep"] == "Ana Alvarez" for r in ana.get("/api/v1/reviews").json())
    token = page_csrf(ana)
    forged = ana.post(f"/reviews/{other}/self-assessment", data={**SELF, "csrf_token": token})
    assert forged.status_code == 404
    # The manager of East cannot read West's review either.
    mia = signed_in(app, "mia")
    assert mia.get(f"/api/v1/reviews/{other}").status_code == 404
    assert mia.get(f"/api/v1/reviews/{ids['Ana Alvarez']}").json()["readable"] is True


def test_the_rep_self_assesses_first_and_never_sees_the_draft(
    web: tuple[Store, dict[str, int]],
) -> None:
    store, ids = web
    app = app_on(store)
    own = ids["Ana Alvarez"]
    mia = signed_in(app, "mia")
    token = page_csrf(mia)
    assert mia.post(f"/reviews/{own}/draft/generate", data={"csrf_token": token}).status_code == 200
    draft_text = mia.get(f"/api/v1/reviews/{own}").json()["text"]["text"]
    ana = signed_in(app, "ana")
    page = ana.get(f"/reviews/{own}")
    assert page.status_code == 200 and "self-assessment" in page.text
    assert "Questions to prepare" not in page.text and draft_text.splitlines()[2] not in page.text
    api = ana.get(f"/api/v1/reviews/{own}").json()
    assert api["readable"] is False and api["pack"] is None and api["text"] is None
    # A manager cannot enter the rep's self-assessment; a rating out of range changes nothing.
    mia.put(
        f"/api/v1/reviews/{own}/ratings",
        json={"ratings": {"skill": 2}, "reasons": {"skill": "not yet"}},
        headers={"X-CSRF-Token": token},
    )
    listed = next(r for r in ana.get("/api/v1/reviews").json() if r["id"] == own)
    assert (
        listed["final_ratings"] == {}
        and ana.get(f"/api/v1/reviews/{own}").json()["review"]["final_ratings"] == {}
    )
    refused = mia.post(
        f"/api/v1/reviews/{own}/self-assessment",
        json={"ratings": {}},
        headers={"X-CSRF-Token": token},
    )
    assert refused.status_code == 403
    ana_token = page_csrf(ana)
    bad = ana.post(
        f"/reviews/{own}/self-assessment",
        data={**SELF, "skill_rating": "9", "csrf_token": ana_token},
    )
    assert bad.status_code == 400 and "out of range" in bad.text
    assert (
        ana.post(
            f"/reviews/{own}/self-assessment", data={**SELF, "csrf_token": ana_token}
        ).status_code
        == 200
    )
    assert ana.get(f"/api/v1/reviews/{own}").json()["readable"] is False  # still a draft
    assert mia.post(f"/reviews/{own}/share", data={"csrf_token": token}).status_code == 200
    shared = ana.get(f"/api/v1/reviews/{own}").json()
    assert shared["readable"] is True and shared["pack"]["questions"] == []
    assert shared["text"]["text"] == draft_text
    assert ana.post(f"/reviews/{own}/share", data={"csrf_token": ana_token}).status_code == 403
    with store.unit_of_work() as uow:
        views = uow.audit.recent(200, action_prefix="review.view")
    assert {e.actor for e in views} >= {"ana", "mia"}


def test_the_manager_edit_is_checked_on_every_save(web: tuple[Store, dict[str, int]]) -> None:
    store, ids = web
    app = app_on(store)
    own = ids["Ana Alvarez"]
    mia = signed_in(app, "mia")
    token = page_csrf(mia)
    mia.post(f"/reviews/{own}/draft/generate", data={"csrf_token": token})
    data = mia.get(f"/api/v1/reviews/{own}").json()
    assert data["text"]["summary"]["flagged"] == 0
    cited = next(s for s in data["text"]["check"]["sentences"] if s["cites"])["cites"][0]
    edited = data["text"]["text"] + f"\n- You promised a 40% discount to close it [{cited}].\n"
    page = mia.post(f"/reviews/{own}/draft", data={"text": edited, "csrf_token": token})
    assert page.status_code == 200 and "check-flagged" in page.text and "40%" in page.text
    again = mia.post(
        f"/api/v1/reviews/{own}/draft", json={"text": edited}, headers={"X-CSRF-Token": token}
    )
    assert again.json()["summary"]["flagged"] == 1
    closing = mia.post(f"/api/v1/reviews/{own}/close", headers={"X-CSRF-Token": token})
    assert closing.status_code == 400 and "missing" in closing.json()["detail"]
    dashboard = mia.get("/")
    assert (
        "Review cycle: East" in dashboard.text
        and "0 of 2 reps have self-assessed" in dashboard.text
    )
    assert "Review cycle: West" not in dashboard.text
    pdf = mia.get(f"/reviews/{own}/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_managers_team_cycle_runs_as_a_job_of_their_own(
    web: tuple[Store, dict[str, int]],
) -> None:
    """ "Prepare every rep's pack" queues one review-packs job owned by the manager; another
    team's cycle is refused like an unknown team; a rep cannot start one."""
    from callcoach.services.jobs.views import list_jobs

    store, _ = web
    app = app_on(store)
    mia = signed_in(app, "mia")
    csrf = page_csrf(mia, "/reviews")
    started = mia.post(
        "/reviews/cycles",
        data={"csrf_token": csrf, "team": "East", "as_of": AS_OF.isoformat()},
        follow_redirects=False,
    )
    assert started.status_code == 303 and started.headers["location"] == "/jobs"
    (job,) = [j for j in list_jobs(store).jobs if j.kind == "review-packs"]
    assert job.owner == "mia" and job.payload["team"] == "East"
    assert "East" in mia.get("/jobs").text
    other = mia.post(
        "/reviews/cycles", data={"csrf_token": csrf, "team": "West", "as_of": "2026-09-30"}
    )
    assert other.status_code == 404
    ana = signed_in(app, "ana")
    refused = ana.post(
        "/reviews/cycles",
        data={"csrf_token": page_csrf(ana, "/reviews"), "team": "East", "as_of": "2026-09-30"},
    )
    assert refused.status_code in (400, 403)
