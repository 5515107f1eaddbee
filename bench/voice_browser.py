"""bench/voice.py's browser part: push to talk timed in headless Chromium."""

from __future__ import annotations

import statistics
import sys
import threading
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the browser test's page and server

from tests.audio_helpers import normalise, word_error_rate  # noqa: E402

from callcoach.voice.speech_to_text import WhisperSpeechToText  # noqa: E402
from callcoach.voice.text_to_speech import EspeakTextToSpeech  # noqa: E402
from voice_parts import LEAD_S, RELEASE_S, Utterance, summary  # noqa: E402


def measure_browser(
    utterances: list[Utterance],
    stt: WhisperSpeechToText,
    tts: EspeakTextToSpeech,
    reply: str,
    runs: int,
) -> dict[str, Any]:
    """Release of the button to the first sentence playing, in headless Chromium."""
    from http.server import ThreadingHTTPServer

    from playwright.sync_api import sync_playwright
    from tests.e2e.test_voice_capture import CHROMIUM, Received, make_handler

    received = Received()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(received, stt, tts, reply))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    results: dict[str, Any] = {}
    try:
        with sync_playwright() as playwright:
            for utterance in utterances:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM),
                    args=[
                        "--no-sandbox",
                        "--disable-gpu",
                        "--no-first-run",
                        "--use-fake-device-for-media-stream",
                        "--use-fake-ui-for-media-stream",
                        f"--use-file-for-fake-audio-capture={utterance.microphone_wav}",
                        "--autoplay-policy=no-user-gesture-required",
                    ],
                )
                latencies, errors = [], []
                for _ in range(runs):
                    page = browser.new_page()
                    page.goto(url)
                    page.evaluate(
                        """() => {
                          const widget = document.querySelector('[data-voice-url]');
                          window.voiceTimes = {};
                          document.querySelector('[data-voice-talk]').addEventListener(
                            'pointerup', () => { window.voiceTimes.released = performance.now(); },
                            true);
                          widget.addEventListener('voice:playing',
                            () => { window.voiceTimes.playing = performance.now(); });
                          widget.addEventListener('voice:heard',
                            (e) => { window.voiceTimes.heard = e.detail.text; });
                        }"""
                    )
                    page.locator("[data-voice-talk]").hover()
                    page.mouse.down()
                    page.wait_for_timeout(int((LEAD_S + utterance.speech_s + RELEASE_S) * 1000))
                    page.mouse.up()
                    page.wait_for_function("() => window.voiceTimes.playing", timeout=60_000)
                    times = page.evaluate("() => window.voiceTimes")
                    latencies.append((times["playing"] - times["released"]) / 1000)
                    errors.append(
                        word_error_rate(normalise(utterance.text), normalise(times["heard"]))
                    )
                    page.close()
                browser.close()
                results[f"{utterance.nominal_s}s"] = {
                    "release_to_first_audio_s": summary(latencies),
                    "runs": [round(x, 3) for x in latencies],
                    "word_error_rate_median": round(statistics.median(errors), 3),
                }
    finally:
        server.shutdown()
        server.server_close()
    return results
