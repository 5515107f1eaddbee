"""Helpers for the job tests: real `callcoach` processes (commands and `serve`), signing in
over HTTP, and reading the job records from the database."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from callcoach.domain.jobs import Job
from callcoach.services.jobs.views import list_jobs
from callcoach.store.db import Database
from callcoach.store.uow import Store
from tests.e2e.web_org import PASSWORD
from tests.worker_helpers import free_port, wait_for

CALLCOACH = Path(sys.executable).with_name("callcoach")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def conversations(path: Path, count: int) -> Path:
    """A JSONL file of `count` small calls (a rep and a buyer, three turns each)."""
    rep_lines = [
        "Thanks for joining, what prompted you to look at new forecasting tools this quarter?",
        "Understood, and what happens today when the numbers from the regions do not match?",
        "If we solved that in the first month, would you be ready to sign by the end of June?",
    ]
    with path.open("w", encoding="utf-8") as handle:
        for number in range(count):
            turns = []
            for line in rep_lines:
                turns.append({"speaker": "Dana", "text": f"{line} (call {number})"})
                turns.append({"speaker": "Buyer", "text": "That is a fair question, let me think."})
            record = {"call_id": f"call-{number:04d}", "rep_speaker": "Dana", "turns": turns}
            handle.write(json.dumps(record) + "\n")
    return path


def env_for(db: Path, **settings: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "CALLCOACH_DB": str(db),
            "CALLCOACH_WORKERS": "1",
            "CALLCOACH_SCORER": "fake",
            "HF_HUB_OFFLINE": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update({f"CALLCOACH_{name.upper()}": value for name, value in settings.items()})
    return env


def jobs_in(db: Path) -> list[Job]:
    store = Store(Database(str(db)))
    try:
        return list_jobs(store).jobs
    finally:
        store.close()


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process and its children at once, as when a machine loses power."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as handle:
        return subprocess.Popen(
            [str(CALLCOACH), *args],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() takes its children too
        )


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`callcoach serve` on a free port; stopped (if still alive) when the block ends."""
    port = free_port()
    process = start(["serve", "--port", str(port)], env, log)
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if process.poll() is not None:
            raise AssertionError("the server stopped: " + log.read_text())
        try:
            return httpx.get(f"{url}/login", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(up, timeout=60, what="the server to answer")
        yield url, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                kill(process)


def sign_in(url: str, username: str) -> httpx.Client:
    """An HTTP client signed in the way a browser is, sending the CSRF token on writes."""
    client = httpx.Client(base_url=url, timeout=30)
    token = _CSRF.search(client.get("/login").text)
    assert token, "no CSRF token on the login page"
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code in (200, 303), response.text
    page = client.get("/account").text
    meta = _META_CSRF.search(page) or _CSRF.search(page)
    assert meta, "no CSRF token on the account page"
    client.headers["X-CSRF-Token"] = meta.group(1)
    return client
