"""Reviews in a real browser (Debian Chromium driven by Playwright) on a real `callcoach serve`:
the manager writes and shares, the rep self-assesses first and cannot open anyone else's
review, nor the draft before it is shared."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from callcoach.store.db import Database
from callcoach.store.uow import Store
from tests.e2e.test_web_browser import _free_port, browser, page, screenshots, sign_in
from tests.e2e.test_web_reviews import prepare_reviews
from tests.e2e.web_org import build_small_org

__all__ = ["browser", "page", "screenshots"]  # the fixtures this module uses
pytestmark = pytest.mark.slow


@pytest.fixture
def review_server(tmp_path: Path) -> Iterator[tuple[str, dict[str, int]]]:
    database = Database(str(tmp_path / "web.db"))
    database.migrate()
    store = Store(database)
    build_small_org(store, calls_per_rep=6)
    ids = prepare_reviews(store)
    store.close()
    port = _free_port()
    env = {**os.environ, "CALLCOACH_SCORER": "fake", "CALLCOACH_WORKERS": "1"}
    command = [
        str(Path(sys.executable).parent / "callcoach"),
        "--db",
        str(tmp_path / "web.db"),
        "serve",
        "--port",
        str(port),
    ]
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    "the server did not start: " + (tmp_path / "server.log").read_text()
                )
            time.sleep(0.3)
        yield url, ids
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_manager_writes_and_shares_rep_self_assesses_first(
    review_server: tuple[str, dict[str, int]], browser: object, screenshots: Path
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    url, ids = review_server
    own, other = ids["Ana Alvarez"], ids["Cara Chen"]
    problems: list[str] = []

    manager = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    manager.on("pageerror", lambda e: problems.append(str(e)))
    sign_in(manager, url, "mia")
    manager.goto(f"{url}/reviews")
    expect(manager.locator(".review-cycle h2").first).to_contain_text("Review cycle: East")
    manager.goto(f"{url}/reviews/{own}")
    expect(manager.locator("h1")).to_contain_text("Ana Alvarez")
    manager.click("text=Write the text from the evidence")
    manager.wait_for_load_state("networkidle")
    editor = manager.locator("#draft-editor textarea")
    text = editor.input_value()
    assert "[" in text and "]" in text
    editor.fill(text + "\n- You promised a 40% discount to close it.\n")
    manager.click("#draft-editor button[type=submit]")
    manager.wait_for_load_state("networkidle")
    expect(manager.locator("#check .check-flagged").first).to_contain_text("40%")
    manager.screenshot(path=str(screenshots / "review-manager.png"), full_page=True)

    rep = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    rep.on("pageerror", lambda e: problems.append(str(e)))
    sign_in(rep, url, "ana")
    rep.goto(f"{url}/reviews/{other}")
    expect(rep.locator("body")).to_contain_text(f"no review {other}")
    rep.goto(f"{url}/api/v1/reviews/{other}")
    expect(rep.locator("body")).to_contain_text(f"no review {other}")
    rep.goto(f"{url}/reviews/{own}")
    expect(rep.locator("#review-message")).to_contain_text("preparing")
    assert rep.locator("#draft-editor").count() == 0 and "40% discount" not in rep.content()
    for dimension in ("output", "activity", "skill", "growth"):
        rep.select_option(f"select[name={dimension}_rating]", "4")
        rep.fill(f"textarea[name={dimension}_words]", f"My {dimension} this quarter")
    rep.click("#self-assessment button[type=submit]")
    rep.wait_for_load_state("networkidle")
    expect(rep.locator("body")).to_contain_text("on record")
    assert "40% discount" not in rep.content()

    manager.reload()
    manager.click("#share")
    manager.wait_for_load_state("networkidle")
    rep.reload()
    expect(rep.locator("#ratings")).to_be_visible()
    expect(rep.locator(".review-text")).to_contain_text("40% discount")
    assert rep.locator("#questions").count() == 0
    rep.screenshot(path=str(screenshots / "review-rep.png"), full_page=True)
    assert not problems, problems
