"""Push to talk in a real browser, with a fake microphone fed by an espeak-ng recording.

How Chromium is given a microphone that says known words (no sound card needed):
`--use-fake-device-for-media-stream` replaces real capture devices with fake ones,
`--use-fake-ui-for-media-stream` answers the permission prompt with "allow", and
`--use-file-for-fake-audio-capture=FILE.wav` makes the fake microphone play that file (a 16-bit
PCM WAV; it loops). Playwright launches Debian's /usr/bin/chromium with those flags, as
tests/e2e/test_web_browser.py launches it for the web app.

The page is a small standalone one served by a real local HTTP server (standard library) with
the web app's Content-Security-Policy, so voice.js is exercised under the same rules (no
inline script, no blob: media). Its POST endpoint is the reply-stream contract of
callcoach.voice.reply_stream on the real Whisper model and espeak-ng: holding the button for
2 s records from the fake microphone; the test checks the blob the browser sent (non-empty,
WebM, decodes with PyAV to about the 2 s held, speech Whisper recognises) and that the page
shows what was heard and the reply and plays the reply's audio to the end.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from callcoach.voice.errors import VoiceError
from callcoach.voice.reply_stream import REPLY_STREAM_MEDIA_TYPE, json_lines, reply_events
from callcoach.voice.speech_to_text import WhisperSpeechToText
from callcoach.voice.text_to_speech import EspeakTextToSpeech
from tests.audio_helpers import normalise, require_tools, run
from tests.conftest import REPO_ROOT, missing_service

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
VOICE_JS = REPO_ROOT / "src" / "callcoach" / "web" / "static" / "voice.js"
# The web app's policy (callcoach.web.app), so what works here works there.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self'; connect-src 'self'"
)
CSRF = "csrf-token-for-this-test"
SPOKEN = "The price is too high this year."  # 1.9 s at 175 words a minute
KEY_WORDS = {"price", "high", "year"}
REPLY = "Fine, I can look at a proposal. Send it by Monday."
HOLD_MS = 2000

PAGE = f"""<!doctype html>
<html><head><meta charset="utf-8"><meta name="csrf-token" content="{CSRF}">
<link rel="icon" href="data:,"><title>voice capture</title><script src="/voice.js" defer></script></head>
<body><section data-voice-url="/talk">
<button type="button" data-voice-talk>Hold to talk</button>
<p data-voice-status></p><p data-voice-heard></p><p data-voice-reply></p>
</section></body></html>"""


@dataclass
class Received:
    """What the browser posted, for the test to inspect."""

    bodies: list[bytes] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)
    csrf_tokens: list[str | None] = field(default_factory=list)


def make_handler(
    received: Received, stt: WhisperSpeechToText, tts: EspeakTextToSpeech, reply: str = REPLY
) -> type[BaseHTTPRequestHandler]:
    """The page, voice.js, and POST /talk answering by the reply-stream contract.

    bench/voice.py serves the same, to time push to talk in the browser."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

        def send_body(self, status: int, media_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Security-Policy", CSP)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path == "/":
                self.send_body(200, "text/html; charset=utf-8", PAGE.encode())
            elif self.path == "/voice.js":
                self.send_body(200, "text/javascript", VOICE_JS.read_bytes())
            else:
                self.send_body(404, "text/plain", b"not found")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.bodies.append(body)
            received.content_types.append(self.headers.get("Content-Type", ""))
            received.csrf_tokens.append(self.headers.get("X-CSRF-Token"))
            if self.headers.get("X-CSRF-Token") != CSRF:
                self.send_body(403, "application/json", b'{"detail": "CSRF token missing"}')
                return
            try:
                heard = stt.transcribe(body)
            except VoiceError as exc:
                detail = json.dumps({"detail": exc.message}).encode()
                self.send_body(422, "application/json", detail)
                return
            # Streamed as the contract says: no length, each line written as it is ready.
            self.send_response(200)
            self.send_header("Content-Type", REPLY_STREAM_MEDIA_TYPE)
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for line in json_lines(reply_events(heard, lambda: reply, tts)):
                    self.wfile.write(line)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return  # the page went away mid-reply (the bench closes it once audio plays)

    return Handler


def microphone_saying(text: str, folder: Path) -> Path:
    """What the fake microphone plays: `text` once (espeak-ng, en-us, 175 words a minute), then
    3 s of silence. The file loops, so a take of the sentence's length holds it once, cleanly."""
    require_tools()
    raw = folder / "raw.wav"
    run("espeak-ng", "-v", "en-us", "-s", "175", "-w", raw, text)
    wav = folder / "microphone.wav"
    # 48 kHz mono 16-bit PCM, what Chromium's fake capture device runs at; padded with silence
    # so the loop does not start the sentence again inside the take.
    run("sox", raw, "-r", "48000", "-c", "1", "-b", "16", wav, "pad", "0.1", "3")
    return wav


@pytest.fixture(scope="module")
def fake_microphone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sentence once, then silence: 2 s must hold one clean take."""
    return microphone_saying(SPOKEN, tmp_path_factory.mktemp("fake-mic"))


@pytest.fixture(scope="module")
def models() -> tuple[WhisperSpeechToText, EspeakTextToSpeech]:
    stt, tts = WhisperSpeechToText(), EspeakTextToSpeech()
    stt.warm_up()
    return stt, tts


@pytest.fixture
def site(models: tuple[WhisperSpeechToText, EspeakTextToSpeech]) -> Iterator[tuple[str, Received]]:
    received = Received()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(received, *models))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def silent_microphone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A microphone that is connected but muted: digital silence."""
    require_tools()
    wav = tmp_path_factory.mktemp("muted-mic") / "microphone.wav"
    run("sox", "-n", "-r", "48000", "-c", "1", "-b", "16", wav, "trim", "0", "4")
    return wav


def open_page(microphone: Path, refused_status: int = 422) -> Iterator[object]:
    """A page of headless Chromium whose microphone plays `microphone`. The browser may log
    only the `refused_status` its server answers a recording it refuses."""
    if not CHROMIUM.exists():
        missing_service(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        page = browser.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda message: (
                problems.append(message.text)
                if message.type == "error"
                # the app has no icon; Chromium asks for one on every page of a real server
                and not message.location.get("url", "").endswith("/favicon.ico")
                else None
            ),
        )
        yield page
        browser.close()
        # A refused recording is answered so on purpose; anything else logged is a fault.
        assert [p for p in problems if f"status of {refused_status}" not in p] == [], problems


@pytest.fixture
def page(fake_microphone: Path) -> Iterator[object]:
    yield from open_page(fake_microphone)


@pytest.fixture
def muted_page(silent_microphone: Path) -> Iterator[object]:
    yield from open_page(silent_microphone)


def decoded(recording: bytes) -> tuple[float, str]:
    """Seconds of audio in the browser's recording, and its codec, as PyAV reads them."""
    import av

    with av.open(io.BytesIO(recording)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        return samples / stream.codec_context.sample_rate, stream.codec_context.name


def test_push_to_talk_records_the_fake_microphone_and_plays_the_reply(
    page: object,
    site: tuple[str, Received],
    models: tuple[WhisperSpeechToText, EspeakTextToSpeech],
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    url, received = site
    page.goto(url)
    widget = page.locator("[data-voice-url]")
    expect(widget).to_have_attribute("data-voice-state", "idle")
    page.locator("[data-voice-talk]").hover()
    page.mouse.down()
    expect(widget).to_have_attribute("data-voice-state", "recording")
    page.wait_for_timeout(HOLD_MS)
    page.mouse.up()

    expect(page.locator("[data-voice-reply]")).to_have_text(REPLY, timeout=30_000)
    # The reply has two sentences; both are played to the end, then the widget is idle.
    expect(widget).to_have_attribute("data-voice-played", "2", timeout=30_000)
    expect(widget).to_have_attribute("data-voice-state", "idle", timeout=10_000)

    assert len(received.bodies) == 1
    recording = received.bodies[0]
    assert recording, "the browser sent an empty recording"
    assert received.content_types[0].startswith("audio/webm")
    assert received.csrf_tokens == [CSRF]
    seconds, codec = decoded(recording)
    assert codec == "opus"
    assert HOLD_MS / 1000 - 0.6 < seconds < HOLD_MS / 1000 + 0.6, seconds
    heard = page.locator("[data-voice-heard]").inner_text()
    assert set(normalise(heard)) >= KEY_WORDS, heard
    stt, _tts = models
    assert set(normalise(stt.transcribe(recording))) >= KEY_WORDS


def test_the_space_bar_talks_and_a_tap_is_not_sent(
    page: object, site: tuple[str, Received]
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    url, received = site
    page.goto(url)
    widget = page.locator("[data-voice-url]")
    page.keyboard.down("Space")
    expect(widget).to_have_attribute("data-voice-state", "recording")
    page.wait_for_timeout(HOLD_MS)
    page.keyboard.up("Space")
    expect(page.locator("[data-voice-heard]")).not_to_be_empty(timeout=30_000)
    assert len(received.bodies) == 1
    assert set(normalise(page.locator("[data-voice-heard]").inner_text())) >= KEY_WORDS
    expect(widget).to_have_attribute("data-voice-state", "idle", timeout=30_000)

    page.locator("[data-voice-talk]").hover()
    page.mouse.down()
    page.mouse.up()  # a tap: nothing is sent, and the page says how to talk
    expect(page.locator("[data-voice-status]")).to_contain_text("Hold the button")
    assert len(received.bodies) == 1


def test_a_muted_microphone_gets_a_clear_message(
    muted_page: object, site: tuple[str, Received]
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(muted_page, Page)
    url, received = site
    muted_page.goto(url)
    widget = muted_page.locator("[data-voice-url]")
    muted_page.locator("[data-voice-talk]").hover()
    muted_page.mouse.down()
    expect(widget).to_have_attribute("data-voice-state", "recording")
    muted_page.wait_for_timeout(HOLD_MS)
    muted_page.mouse.up()
    expect(widget).to_have_attribute("data-voice-state", "error", timeout=30_000)
    expect(muted_page.locator("[data-voice-status]")).to_contain_text("the recording is silent")
    assert len(received.bodies) == 1 and received.bodies[0]
