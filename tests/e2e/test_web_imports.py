"""Uploading files through the Import page and the API: per-file results with lines."""

from __future__ import annotations

from fastapi.testclient import TestClient

from callcoach.services.accounts.people import roster
from callcoach.services.accounts.tokens import create_token
from callcoach.store.uow import Store
from tests.e2e.web_client import app_on, page_csrf, signed_in
from tests.e2e.web_org import build_small_org

GOOD_ROSTER = "name,email,team,manager\nZoe Zhang,zoe@example.com,East,Mia Moore\n"
BAD_DEALS = (
    "deal_id,account,amount,stage,outcome,rep\n"
    "D-1,Acme,1000,Closed Won,won,Ana Alvarez\n"
    "D-2,Globex,not-a-number,Closed Lost,lost,Ana Alvarez\n"
)


def test_import_page_imports_good_files_and_names_the_line_of_bad_ones(
    sqlite_store: Store,
) -> None:
    build_small_org(sqlite_store)
    app = app_on(sqlite_store)
    admin = signed_in(app, "admin")
    csrf = page_csrf(admin, "/import")
    ok = admin.post(
        "/import",
        data={"kind": "reps", "csrf_token": csrf},
        files=[("files", ("roster.csv", GOOD_ROSTER.encode(), "text/csv"))],
    )
    assert ok.status_code == 200 and "roster.csv" in ok.text
    assert "Zoe Zhang" in {r.name for r in roster(sqlite_store)[1]}
    bad = admin.post(
        "/import",
        data={"kind": "deals", "csrf_token": csrf},
        files=[("files", ("deals.csv", BAD_DEALS.encode(), "text/csv"))],
    )
    assert bad.status_code == 422
    assert "deals.csv" in bad.text and "rejected" in bad.text and "line 3" in bad.text
    # The manager cannot import at all.
    manager = signed_in(app, "mia")
    refused = manager.post(
        "/import",
        data={"kind": "reps", "csrf_token": page_csrf(manager)},
        files=[("files", ("roster.csv", GOOD_ROSTER.encode(), "text/csv"))],
    )
    assert refused.status_code == 403


def test_import_api_reports_each_file(sqlite_store: Store) -> None:
    build_small_org(sqlite_store)
    app = app_on(sqlite_store)
    _, token = create_token(sqlite_store, "admin", "imports", scope="write")
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    response = api.post(
        "/api/v1/imports/deals",
        files=[
            ("files", ("deals.csv", BAD_DEALS.encode(), "text/csv")),
            (
                "files",
                (
                    "more.csv",
                    BAD_DEALS.splitlines()[0].encode() + b"\nD-9,Initech,5,Open,open,Ben Brooks\n",
                    "text/csv",
                ),
            ),
        ],
    )
    assert response.status_code == 422
    files = {f["file"]: f for f in response.json()["files"]}
    assert files["deals.csv"]["ok"] is False and files["deals.csv"]["line"] == 3
    assert files["more.csv"]["ok"] is True and files["more.csv"]["created"] == 1


def test_every_import_kind_the_docs_promise_is_offered_and_imports(sqlite_store: Store) -> None:
    """The page used to offer no "ratings" upload (a misnamed module path swallowed by a
    lookup), and a "scores" upload handed a list to an importer of one file."""
    import io

    from callcoach.services.accounts.users import audit_log
    from callcoach.services.exchange.scores import export_scores

    org = build_small_org(sqlite_store)
    app = app_on(sqlite_store)
    admin = signed_in(app, "admin")
    page = admin.get("/import").text
    for kind in ("calls", "reps", "deals", "activities", "quotas", "ratings", "scores"):
        assert f'value="{kind}"' in page, kind
    csrf = page_csrf(admin, "/import")
    call = org.calls_by_rep["Ana Alvarez"][0]
    ratings = f"call_id,rater,criterion_id,level\n{call},Mia Moore,close_attempt,4\n"
    rated = admin.post(
        "/import",
        data={"kind": "ratings", "csrf_token": csrf},
        files=[("files", ("ratings.csv", ratings.encode(), "text/csv"))],
    )
    assert rated.status_code == 200, rated.text
    assert "ratings.csv" in rated.text
    exported = io.StringIO()
    export_scores(sqlite_store, exported)
    scores = admin.post(
        "/import",
        data={"kind": "scores", "csrf_token": csrf},
        files=[("files", ("scores.jsonl", exported.getvalue().encode(), "application/json"))],
    )
    assert scores.status_code == 200, scores.text
    entries = {(e.actor, e.action) for e in audit_log(sqlite_store)}
    assert {("admin", "import.ratings"), ("admin", "scores.import")} <= entries
