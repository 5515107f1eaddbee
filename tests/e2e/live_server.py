"""A real `callcoach serve` in a subprocess on a free local port, for tests over real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(db_path: Path, log_path: Path, **env_values: str) -> Iterator[str]:
    """Serve the database at `db_path`; yields the base URL; stops the server afterwards."""
    port = free_port()
    env = {**os.environ, "CALLCOACH_SCORER": "fake", "CALLCOACH_WORKERS": "1", **env_values}
    # The interpreter running the tests, on the same sources (not an installed entry point).
    command = [
        sys.executable,
        "-c",
        "from callcoach.cli import main; main()",
        "--db",
        str(db_path),
        "serve",
        "--port",
        str(port),
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("the server did not start: " + log_path.read_text())
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
