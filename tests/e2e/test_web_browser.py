"""The manager's and the rep's workflows in a real browser against a real server.

Headless Debian Chromium driven by Playwright (its own browser download cannot work here), on
`callcoach serve` started as a subprocess on a free local port. Screenshots of every page go to
$CALLCOACH_SCREENSHOTS, or `screenshots/` under pytest's base temporary folder.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from callcoach.store.db import Database
from callcoach.store.uow import Store
from tests.conftest import missing_service
from tests.e2e.web_org import PASSWORD, build_small_org

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A real `callcoach serve` on a store holding a small scored org."""
    database = Database(str(tmp_path / "web.db"))
    database.migrate()
    store = Store(database)
    build_small_org(store, calls_per_rep=12)
    store.close()
    port = _free_port()
    env = {
        **os.environ,
        "CALLCOACH_SCORER": "fake",
        "CALLCOACH_WORKERS": "1",
    }
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
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(
        os.environ.get("CALLCOACH_SCREENSHOTS") or tmp_path_factory.getbasetemp() / "screenshots"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        missing_service(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()
    # Scripts, charts and the CSP must not complain on any page the test opened.
    assert not [p for p in problems if "404" not in p], problems


def sign_in(page: object, url: str, username: str) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto(f"{url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_manager_reads_the_team_opens_a_rep_and_the_evidence_then_overrides(
    server: str, page: object, screenshots: Path
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    sign_in(page, server, "mia")
    expect(page.locator("h1")).to_contain_text("Team")
    # The heatmap is drawn by the locally served plotly: reps x criteria plus the benchmark.
    page.wait_for_selector("#heatmap .main-svg")
    heat_rows = page.locator("#heatmap .ytick text").all_text_contents()
    assert {"Ana Alvarez", "Ben Brooks", "Team benchmark"} <= set(heat_rows)
    assert "Cara Chen" not in heat_rows  # another manager's team
    rows = page.locator("#priorities tbody tr")
    expect(rows).to_have_count(2)
    # The heatmap reads top to bottom in the table's order, the benchmark first.
    ticks = page.locator("#heatmap .ytick text")
    on_screen = sorted(
        (box["y"], text)
        for text, box in zip(
            ticks.all_text_contents(),
            (t.bounding_box() for t in ticks.all()),
            strict=True,
        )
        if box is not None
    )
    table_order = page.locator("#priorities tbody tr td:first-child a").all_text_contents()
    assert [text for _, text in on_screen] == ["Team benchmark", *table_order]
    page.screenshot(path=str(screenshots / "01-dashboard.png"), full_page=True)

    page.click("#priorities a:has-text('Ana Alvarez')")
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("Ana Alvarez")
    expect(page.locator("#priorities .priority").first).to_contain_text("What good looks like")
    page.wait_for_selector("[data-chart='trend-data'] .main-svg")
    page.screenshot(path=str(screenshots / "02-rep-scorecard.png"), full_page=True)

    page.locator("#priorities .moment a").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".transcript")).to_be_visible()
    evidence = page.locator(".evidence-item").first
    quote = evidence.get_attribute("data-quote")
    segment = evidence.get_attribute("data-segment")
    assert quote and segment is not None
    evidence.click()
    highlighted = page.locator(f"#seg-{segment}")
    expect(highlighted).to_have_class("seg rep highlight")
    expect(highlighted.locator("mark.quote-hl")).to_have_text(quote)
    expect(page.locator(".seg.highlight")).to_have_count(1)
    page.wait_for_timeout(700)  # the smooth scroll
    assert highlighted.is_visible()
    page.screenshot(path=str(screenshots / "03-call-evidence.png"), full_page=False)

    first = page.locator("article.crit").first
    machine = first.locator(".levels .level").first.inner_text()
    first.locator("details.override summary").click()
    new_level = "5" if machine != "5" else "1"
    first.locator("select[name=level]").select_option(new_level)
    first.locator("textarea[name=note]").fill("Asked three layered questions about month end.")
    first.locator("button:has-text('Save override')").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".alert.ok")).to_contain_text("Override saved")
    first = page.locator("article.crit").first
    expect(first.locator(".levels")).to_contain_text("override by mia")
    # The machine's level is still shown beside the override.
    assert first.locator(".levels .level").first.inner_text() == machine
    expect(first.locator("ul.ratings")).to_contain_text("Asked three layered questions")
    page.screenshot(path=str(screenshots / "04-call-override.png"), full_page=False)


def test_a_rep_sees_only_their_own_calls(server: str, page: object, screenshots: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    sign_in(page, server, "ana")
    assert page.url.endswith("/me")
    expect(page.locator("h1")).to_have_text("Ana Alvarez")
    page.screenshot(path=str(screenshots / "05-rep-own-scorecard.png"), full_page=True)
    page.click("nav a:has-text('Calls')")
    page.wait_for_load_state("networkidle")
    reps = set(page.locator("table.calls tbody td:nth-child(2)").all_inner_texts())
    assert reps == {"Ana Alvarez"}
    expect(page.locator("table.calls tbody tr")).to_have_count(12)
    page.screenshot(path=str(screenshots / "06-rep-calls.png"), full_page=True)
    page.fill("input[name=q]", "zebracara")
    page.click("form.list-filters button:has-text('Apply')")
    expect(page.locator("table.calls tbody")).to_contain_text("No calls")
    response = page.goto(f"{server}/calls/cara-1")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Not found")
    # No override form for a rep on their own call.
    page.goto(f"{server}/calls/ana-1")
    expect(page.locator("details.override")).to_have_count(0)


def test_manager_edits_the_rubric_with_live_validation_and_rescores(
    server: str, page: object, screenshots: Path
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    sign_in(page, server, "mia")
    page.click("nav a:has-text('Rubrics')")
    # East and West are both reported on the default rubric: mia (East) may not change it.
    expect(page.locator("#team-rubrics")).to_contain_text("East")
    page.click("tr:has-text('one-call-close') a:has-text('Edit')")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#rubric-refusal")).to_contain_text("also used by team West")
    expect(page.locator("#save-rubric")).to_have_count(0)
    expect(page.locator("#validation-state")).to_have_text("Valid: ready to save.")
    weight = page.locator("input[name='c-0-weight']")
    original = weight.input_value()
    weight.fill(str(int(float(original)) + 5))
    expect(page.locator("#validation-errors")).to_contain_text("they must sum to 100")
    expect(page.locator("#weight-total")).to_have_text("105")
    page.screenshot(path=str(screenshots / "07-rubric-invalid.png"), full_page=False)
    weight.fill(original)
    expect(page.locator("#validation-state")).to_have_text("Valid: ready to save.")
    # An anchor is read whole as it is written: the field grows with its text, never cuts it.
    anchor = page.locator("textarea[name='c-0-a4']")
    anchor.fill(
        "Quantifies the cost of waiting and ties it to a date. Asks what happens to the month-end "
        "close if nothing changes this quarter, gets a number from the prospect in their own "
        "words, and agrees a decision date that the prospect repeats back."
    )
    assert anchor.evaluate("el => el.scrollHeight <= el.clientHeight + 2")
    # Folded, each criterion is one line: its name, weight and anchors written.
    page.click("button[data-fold=close]")
    expect(page.locator("[data-criterion] > details[open]")).to_have_count(0)
    expect(page.locator("[data-criterion] summary").first).to_contain_text("of 5 anchors")
    page.click("button[data-fold=open]")
    anchor.fill("Quantifies the cost of waiting and ties it to a date.")
    # She saves a copy for East instead: East is reported on it from now on (West keeps the
    # default, which she no longer sees listed: only her teams are).
    page.click("#save-copy")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".alert.ok")).to_contain_text("one-call-close-east version 1")
    expect(page.locator("#team-rubrics tr:has-text('East')")).to_contain_text("one-call-close-east")
    page.locator("button.rescore[data-rubric='one-call-close-east']").click()
    expect(page.locator("#job-live .job-status")).to_contain_text("call(s) scored", timeout=60_000)
    status = page.locator("#job-live .job-status").inner_text()
    assert status.startswith("24 call(s) scored"), status  # mia's two reps x 12 calls
    page.screenshot(path=str(screenshots / "08-rubric-rescored.png"), full_page=True)
    # The Jobs page lists the re-score with its progress, as the manager's own job.
    page.click("nav a:has-text('Jobs')")
    row = page.locator("#jobs-table tr.job").first
    expect(row.locator(".job-state")).to_have_text("done")
    expect(row.locator(".job-status")).to_contain_text("24 call(s) scored")
    expect(row).to_contain_text("score-calls")
    page.screenshot(path=str(screenshots / "08b-jobs.png"), full_page=True)
    page.goto(f"{server}/calls/ana-1?rubric=one-call-close-east")
    expect(page.locator(".run-head")).to_contain_text("One-call close (East)")
    expect(page.locator(".run-head")).to_contain_text("v1")


def test_admin_pages_render(server: str, page: object, screenshots: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    sign_in(page, server, "admin")
    for path, name in (
        ("/agreement", "09-agreement"),
        ("/outcomes", "10-outcomes"),
        ("/import", "11-import"),
        ("/admin/users", "12-users"),
    ):
        page.goto(f"{server}{path}")
        page.wait_for_load_state("networkidle")
        expect(page.locator("h1")).to_be_visible()
        page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
