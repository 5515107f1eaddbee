"""Real queue infrastructure for tests: a private redis-server and `callcoach worker` processes.

Each test starts its own Redis on a free local port (nothing saved to disk) and its workers as
subprocesses in their own process groups, so a test can SIGKILL a whole worker (main process and
pool) the way a machine dies. Everything is stopped when the test ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from tests.conftest import missing_service

T = TypeVar("T")
CALLCOACH = Path(sys.executable).with_name("callcoach")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """A throwaway Redis on a free port; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        missing_service("redis-server is not installed (apt-get install redis-server)")
        return
    port = free_port()
    log = (workdir / "redis.log").open("w")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=workdir,
    )
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port)
        wait_for(lambda: _pings(client), timeout=10, what="redis-server to answer")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _pings(client: object) -> bool:
    import redis

    try:
        return bool(client.ping())  # type: ignore[attr-defined]
    except redis.ConnectionError:
        return False


def wait_for(check: Callable[[], T], *, timeout: float, what: str, every: float = 0.2) -> T:
    """Poll until `check()` is truthy; fail naming what was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


@dataclass
class Workers:
    """`callcoach worker` subprocesses sharing one database and one broker."""

    db_url: str
    broker_url: str
    workdir: Path
    env_overrides: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "CALLCOACH_DB": self.db_url,
                "CALLCOACH_BROKER_URL": self.broker_url,
                "HF_HUB_OFFLINE": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.env_overrides)
        return env

    def start(
        self, concurrency: int = 1, queues: str = "transcribe,score", threads: int | None = None
    ) -> subprocess.Popen[bytes]:
        number = len(self.processes)
        extra = ["--threads", str(threads)] if threads else []
        log = (self.workdir / f"worker-{number}.log").open("wb")
        process = subprocess.Popen(
            [
                str(CALLCOACH),
                "worker",
                "--concurrency",
                str(concurrency),
                "--queues",
                queues,
                "--loglevel",
                "info",
                *extra,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env(),
            cwd=self.workdir,
            start_new_session=True,  # its own process group: kill() takes the pool with it
        )
        log.close()
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its pool processes at once, as when a machine dies."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=20)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    with_group_gone(process)
        self.processes.clear()

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}"
            for path in sorted(self.workdir.glob("worker-*.log"))
        )


def with_group_gone(process: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
