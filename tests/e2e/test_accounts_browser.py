"""The account page in a real browser against a real server: two devices signed in, the session
list, "Sign out other sessions", a read-only token made from the form, "Sign out everywhere"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from callcoach.store.db import Database
from callcoach.store.uow import Store
from tests.e2e.live_server import live_server
from tests.e2e.test_web_browser import browser, screenshots, sign_in  # noqa: F401  (fixtures)
from tests.e2e.web_org import build_small_org

pytestmark = pytest.mark.slow


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    database = Database(str(tmp_path / "web.db"))
    database.migrate()
    store = Store(database)
    build_small_org(store, calls_per_rep=2)
    store.close()
    with live_server(tmp_path / "web.db", tmp_path / "server.log") as url:
        yield url


def test_the_owner_signs_out_other_devices_and_then_everywhere(
    served: str,
    browser: object,  # noqa: F811
    screenshots: Path,  # noqa: F811
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    laptop = browser.new_context(viewport={"width": 1400, "height": 900}, user_agent="Laptop/1.0")
    phone = browser.new_context(viewport={"width": 420, "height": 900}, user_agent="Phone/2.0")
    try:
        page, other = laptop.new_page(), phone.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(str(e)))
        sign_in(other, served, "mia")
        sign_in(page, served, "mia")
        page.goto(f"{served}/account")
        sessions = page.locator("#sessions tbody tr")
        expect(sessions).to_have_count(2)
        expect(page.locator("#sessions")).to_contain_text("Phone/2.0")
        expect(page.locator(".current-session")).to_contain_text("Laptop/1.0")
        page.screenshot(path=str(screenshots / "20-account-sessions.png"), full_page=True)

        page.get_by_role("button", name="Sign out other sessions").click()
        expect(page.get_by_role("status")).to_have_text("Signed out 1 other session.")
        expect(sessions).to_have_count(1)
        other.goto(f"{served}/calls")
        expect(other).to_have_url(f"{served}/login?next=/calls")

        page.fill("#tokens input[name=name]", "weekly report")
        page.select_option("#tokens select[name=scope]", "read")
        page.fill("#tokens input[name=expires]", "2099-06-30")
        page.get_by_role("button", name="Create token").click()
        expect(page.locator("#new-token")).to_contain_text("cc_")
        row = page.locator("#tokens tbody tr", has_text="weekly report")
        expect(row).to_contain_text("read-only")
        expect(row).to_contain_text("end of 2099-06-30 UTC")
        page.screenshot(path=str(screenshots / "21-account-token.png"), full_page=True)

        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Sign out everywhere").click()
        expect(page).to_have_url(f"{served}/login")
        page.goto(f"{served}/account")
        expect(page).to_have_url(f"{served}/login?next=/account")
        assert not problems, problems
    finally:
        laptop.close()
        phone.close()
