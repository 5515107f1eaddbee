"""Stopping a scoring run with real signals (issue 14, "Resources").

- SIGTERM stops the run like Ctrl-C: it prints its summary, and no worker process is left.
- A parent killed outright (SIGKILL: nothing of it runs) leaves no worker running either: each
  worker exits when its parent is gone (each holds a model, ~800 MB with the embedded scorer).
- Ctrl-C with an LLM endpoint that never answers ends the command at once, not after the timeout.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from callcoach.domain.access import Scope
from callcoach.store.uow import Store
from tests.conftest import REPO_ROOT
from tests.integration.openai_script import scripted_endpoint
from tests.integration.scoring_calls import add_template_rubric, sales_call, store_calls
from tests.worker_helpers import wait_for

EVERYONE = Scope.system("test: read the whole organisation")


def alive(pid: int) -> bool:
    """Running (a zombie nobody reaped yet counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return "State:\tZ" not in state


def start_run(tmp_path: Path, calls: int = 40) -> tuple[subprocess.Popen[str], Path, str]:
    url = f"sqlite:///{tmp_path / 'callcoach.db'}"
    store = Store.from_url(url)
    store.migrate()
    add_template_rubric(store)
    store_calls(store, [sales_call(i) for i in range(calls)])
    store.close()
    pid_dir = tmp_path / "pids"
    pid_dir.mkdir()
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.scoring_child", url, str(pid_dir)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    return child, pid_dir, url


def worker_pids(pid_dir: Path) -> list[int]:
    return [int(p.name) for p in pid_dir.iterdir()]


def test_sigterm_prints_the_summary_and_leaves_no_worker(tmp_path: Path) -> None:
    child, pid_dir, url = start_run(tmp_path)
    try:
        wait_for(lambda: len(worker_pids(pid_dir)) >= 2, timeout=120, what="two workers scoring")
        time.sleep(1.0)  # a few calls saved
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["interrupted"] is True
    assert summary["stopped"].startswith("terminated (SIGTERM)")
    workers = worker_pids(pid_dir)
    wait_for(lambda: not any(alive(p) for p in workers), timeout=10, what="workers to exit")
    store = Store.from_url(url)
    with store.unit_of_work() as uow:
        saved = len(list(uow.scores.all("one-call-close", scope=EVERYONE)))
    store.close()
    assert saved == summary["scored"] and 0 < saved < 40


def test_workers_exit_when_their_parent_is_killed(tmp_path: Path) -> None:
    child, pid_dir, _ = start_run(tmp_path)
    workers: list[int] = []
    try:
        wait_for(lambda: len(worker_pids(pid_dir)) >= 2, timeout=120, what="two workers scoring")
        workers = worker_pids(pid_dir)
        child.kill()  # SIGKILL: the parent cannot clean up anything
        child.wait(timeout=10)
        wait_for(lambda: not any(alive(p) for p in workers), timeout=15, what="workers to exit")
    finally:
        for pid in workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_ctrl_c_with_a_hung_llm_endpoint_ends_the_command_at_once(tmp_path: Path) -> None:
    db = tmp_path / "callcoach.db"
    calls = tmp_path / "calls.jsonl"
    calls.write_text(
        "".join(
            json.dumps(
                {
                    "call_id": f"c{i}",
                    "rep_speaker": "Dana",
                    "turns": [
                        {"speaker": t.speaker.split()[0], "text": t.text}
                        for t in sales_call(i).segments
                    ],
                }
            )
            + "\n"
            for i in range(4)
        )
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        "CALLCOACH_SCORE_AFTER_IMPORT": "false",
        "CALLCOACH_LLM_TIMEOUT": "120",
        "CALLCOACH_LLM_MODEL": "hung",
    }
    cli = [sys.executable, "-c", "from callcoach.cli import main; main()", "--db", str(db)]
    for step in (["init"], ["import", "calls", str(calls)]):
        done = subprocess.run([*cli, *step], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    with scripted_endpoint(lambda body: None) as endpoint:
        env["CALLCOACH_LLM_BASE_URL"] = endpoint.base_url
        child = subprocess.Popen(
            [*cli, "score", "--scorer", "llm", "--full-transcript"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for(lambda: len(endpoint.requests) >= 1, timeout=120, what="a request")
            sent = time.monotonic()
            child.send_signal(signal.SIGINT)
            out, err = child.communicate(timeout=60)
            took = time.monotonic() - sent
        finally:
            if child.poll() is None:
                child.kill()
    assert took < 10, f"Ctrl-C took {took:.1f}s to end the command"
    assert child.returncode == 130, err
    assert "interrupted" in out + err
