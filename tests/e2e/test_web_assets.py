"""The chart library reaches the browser compressed and is cached for good, over HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from callcoach.store.uow import Store
from callcoach.web.assets import PLOTLY_JS, accepts_gzip
from tests.e2e.web_client import app_on, signed_in
from tests.e2e.web_org import build_small_org

HASHED = re.compile(r'<script src="(/static/plotly-[0-9a-f]{16}\.min\.js)" defer>')


@pytest.fixture
def app(sqlite_store: Store) -> Iterator[FastAPI]:
    build_small_org(sqlite_store)
    yield app_on(sqlite_store)


def test_pages_load_the_chart_library_gzipped_from_a_url_cached_for_good(app: FastAPI) -> None:
    client = signed_in(app, "mia")
    found = [HASHED.search(client.get(page).text) for page in ("/", "/reps/Ana Alvarez")]
    urls = {match.group(1) for match in found if match is not None}
    assert len(found) == 2 and len(urls) == 1, "every chart page links one content-hashed URL"
    url = urls.pop()

    script = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert script.status_code == 200
    assert script.headers["content-encoding"] == "gzip"
    assert script.headers["content-type"].startswith("text/javascript")
    assert "immutable" in script.headers["cache-control"]
    assert "max-age=31536000" in script.headers["cache-control"]
    assert script.headers["vary"] == "Accept-Encoding"
    sent = int(script.headers["content-length"])
    original = PLOTLY_JS.read_bytes()
    assert sent < len(original) / 3, "the 4.8 MB library travels at under a third of its size"
    # httpx decoded the body: it is the installed plotly.js, byte for byte.
    assert script.content == original

    # A browser revalidating what it holds gets a 304 and no body.
    again = client.get(
        url, headers={"If-None-Match": script.headers["etag"], "Accept-Encoding": "gzip"}
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == script.headers["etag"]


def test_clients_without_gzip_get_the_plain_file_and_old_urls_still_work(app: FastAPI) -> None:
    client = signed_in(app, "mia")
    url = HASHED.search(client.get("/").text).group(1)  # type: ignore[union-attr]
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert plain.content == PLOTLY_JS.read_bytes()

    # The unversioned URL serves the same file but is revalidated, not cached for good.
    old = client.get("/static/plotly.min.js", headers={"Accept-Encoding": "gzip"})
    assert old.status_code == 200 and old.headers["content-encoding"] == "gzip"
    assert "immutable" not in old.headers["cache-control"]
    assert "no-cache" in old.headers["cache-control"]
    # A hash from another plotly version (a page from before an upgrade) leads to today's file.
    stale = client.get("/static/plotly-0000000000000000.min.js", follow_redirects=False)
    assert stale.status_code == 307 and stale.headers["location"] == url
    # The script is public, as before: a browser fetches it before anyone signs in.
    assert TestClient(app).get(url).status_code == 200


def test_accept_encoding_is_read_as_rfc_9110_says() -> None:
    assert accepts_gzip("gzip")
    assert accepts_gzip("br;q=1.0, gzip;q=0.8, *;q=0.1")
    assert accepts_gzip("*")
    assert accepts_gzip("GZIP")
    assert not accepts_gzip("")
    assert not accepts_gzip("identity")
    assert not accepts_gzip("br, deflate")
    assert not accepts_gzip("gzip;q=0")
    assert not accepts_gzip("gzip;q=0.0")
