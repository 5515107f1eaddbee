"""A rep practises a moment in a real browser against `callcoach serve`: "Practise this moment"
on the call page, a typed session with the offline prospect (the bundled MiniLM), scored,
the coach's debrief citing the rep's lines, and a retry kept as a second attempt."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_web_browser import browser, page, screenshots, server, sign_in

__all__ = ["browser", "page", "screenshots", "server"]
pytestmark = pytest.mark.slow

LINES = (
    "What does losing those two days at month end cost your team today?",
    "Who else feels it when the report is late, and what happens to them then?",
)


def test_a_rep_practises_a_moment_in_the_browser(
    server: str, page: object, screenshots: Path
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    sign_in(page, server, "ana")
    page.goto(f"{server}/calls/ana-1")
    page.locator("form.practise button").first.click()
    expect(page.locator("h1")).to_contain_text("Practice scenario")
    expect(page.locator("#goal")).to_contain_text("level 4")
    page.click("#start-session")
    expect(page.locator("[data-voice-talk]")).to_be_visible()
    for number, line in enumerate(LINES, start=1):
        page.fill("#turn-form textarea[name=text]", line)
        page.click("#turn-form button[type=submit]")
        transcript = page.locator("#attempt-1 [data-transcript]")
        expect(transcript).to_contain_text(line)
        # The opening line, then one prospect reply per line said.
        expect(transcript.locator("li.persona")).to_have_count(number + 1, timeout=120_000)
    page.screenshot(path=str(screenshots / "practice-session.png"), full_page=True)
    page.click("#end-attempt")
    expect(page.locator("#coach")).to_contain_text("Before you see the score")
    page.fill("#coach-form textarea[name=answer]", "The first one, I would say a 3")
    page.click("#coach-form button[type=submit]")
    expect(page.locator("#coach")).to_contain_text("You gave yourself 3")
    expect(page.locator("#coach")).to_contain_text("[line-")
    page.screenshot(path=str(screenshots / "practice-coach.png"), full_page=True)
    page.click("#retry")
    expect(page.locator("#attempt-2")).to_be_visible()
    expect(page.locator("#attempt-1")).to_contain_text(LINES[0])
