"""A manager rehearses a review aloud in a real browser against a real `callcoach serve`.

As tests/e2e/test_voice_capture.py does for the push-to-talk widget alone, headless Chromium
gets a fake microphone playing an espeak-ng recording (Chromium's
`--use-file-for-fake-audio-capture`); here the page is the app's own rehearsal page, its
voice.js posts to POST /rehearsals/ID/voice, and the server transcribes with the bundled
Whisper, records the line through the same service as typed lines, and streams the persona's
answer as text and speech. The page shows what was heard and the answer, plays it, then reloads
so the rehearsal's transcript shows both lines. A muted microphone gets the app's own clear
message, not a generic failure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from callcoach.store.db import Database
from callcoach.store.uow import Store
from tests.audio_helpers import normalise
from tests.e2e.live_server import live_server
from tests.e2e.test_voice_capture import microphone_saying, open_page, silent_microphone
from tests.e2e.test_web_browser import screenshots, sign_in
from tests.e2e.test_web_rehearsals import SELF, review_to_rehearse

__all__ = ["screenshots", "silent_microphone"]  # the fixtures this module uses
pytestmark = pytest.mark.slow
chromium_hearing = contextmanager(open_page)

SPOKEN = "How do you think the last two months went for you?"  # about 3 s
HOLD_MS = 3500
# voice.js's events, kept in sessionStorage: the page reloads once the reply has played, and
# the test reads what the widget did before that. (Playwright injects this without the CSP.)
RECORD_EVENTS = """
for (const name of ["heard", "reply", "playing", "done", "error"]) {
  window.addEventListener("voice:" + name, (event) => {
    const widget = document.querySelector("[data-voice-url]");
    sessionStorage.setItem("voice:" + name, JSON.stringify({
      detail: event.detail,
      shown: widget.querySelector("[data-voice-reply]").textContent,
    }));
  });
}
"""


@pytest.fixture(scope="module")
def rehearsal_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    folder = tmp_path_factory.mktemp("rehearsal-server")
    database = Database(str(folder / "web.db"))
    database.migrate()
    store = Store(database)
    review = review_to_rehearse(store)
    store.close()
    with live_server(folder / "web.db", folder / "server.log") as url:
        yield url, review


def _start_rehearsal(page: object, url: str, review: int) -> str:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    sign_in(page, url, "mia")
    page.goto(f"{url}/reviews/{review}")
    page.click("#rehearse button")
    expect(page.locator("h1")).to_contain_text("Rehearse the review")
    expect(page.locator("[data-voice-url]")).to_have_attribute("data-voice-state", "idle")
    return page.url.split("#")[0]


def _hold_to_talk(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.locator("[data-voice-talk]").hover()
    page.mouse.down()
    expect(page.locator("[data-voice-url]")).to_have_attribute("data-voice-state", "recording")
    page.wait_for_timeout(HOLD_MS)
    page.mouse.up()


def _event(page: object, name: str) -> dict[str, Any]:
    """What voice.js reported with its `voice:NAME` event (waits for it)."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    handle = page.wait_for_function(
        f"() => sessionStorage.getItem('voice:{name}')", timeout=120_000
    )
    value = json.loads(str(handle.json_value()))
    assert isinstance(value, dict)
    return value


def test_the_manager_says_a_line_aloud_and_hears_the_persona_answer(
    rehearsal_server: tuple[str, int],
    tmp_path: Path,
    screenshots: Path,
) -> None:
    from playwright.sync_api import Page, expect

    url, review = rehearsal_server
    with chromium_hearing(microphone_saying(SPOKEN, tmp_path)) as page:
        assert isinstance(page, Page)
        page.add_init_script(RECORD_EVENTS)
        rehearsal = _start_rehearsal(page, url, review)
        _hold_to_talk(page)

        heard = str(_event(page, "heard")["detail"]["text"])
        assert {"think", "months"} <= set(normalise(heard)), heard
        reply = _event(page, "reply")
        answer = str(reply["detail"]["text"])
        # Asked how they see the period, the persona gives the rep's self-assessment.
        assert any(own["words"] in answer for own in SELF.values()), answer
        playing = _event(page, "playing")
        assert playing["shown"] == answer  # the answer is on screen while it is spoken
        _event(page, "done")

        # Once played, the page reloads: the transcript holds the spoken line and the answer.
        transcript = page.locator("#attempt-1 .transcript")
        expect(transcript.locator("li[data-speaker=practitioner]")).to_have_count(1)
        page.wait_for_load_state()
        assert page.evaluate("sessionStorage.getItem('voice:error')") is None
        expect(transcript.locator("li[data-speaker=practitioner]")).to_contain_text(heard)
        expect(transcript.locator("li[data-speaker=persona]")).to_contain_text(answer)
        assert page.url.split("#")[0] == rehearsal
        expect(page.locator("[data-voice-url]")).to_have_attribute("data-voice-state", "idle")
        page.screenshot(path=str(screenshots / "rehearsal-voice.png"), full_page=True)


def test_a_muted_microphone_gets_the_apps_clear_message(
    rehearsal_server: tuple[str, int], silent_microphone: Path
) -> None:
    from playwright.sync_api import Page, expect

    url, review = rehearsal_server
    with chromium_hearing(silent_microphone, refused_status=400) as page:
        assert isinstance(page, Page)
        _start_rehearsal(page, url, review)
        _hold_to_talk(page)
        widget = page.locator("[data-voice-url]")
        expect(widget).to_have_attribute("data-voice-state", "error", timeout=60_000)
        status = page.locator("[data-voice-status]")
        expect(status).to_contain_text("the recording is silent: check that the microphone")
        expect(page.locator("#attempt-1 .transcript li[data-speaker]")).to_have_count(0)
