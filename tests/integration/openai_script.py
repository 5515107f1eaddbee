"""A real HTTP server speaking the OpenAI chat-completions protocol, answering from a script.

For the faults a real model will not produce on demand: answers that break the schema, quotes
from the wrong speaker, an endpoint that answers 500 to everything or never answers at all.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# What the script returns for a request: (HTTP status, the model's text content), or None to
# hang (never answer; the connection stays open until the server stops).
Reply = tuple[int, str] | None
Script = Callable[[dict[str, Any]], Reply]


@dataclass
class ScriptedEndpoint:
    base_url: str
    script: Script
    requests: list[dict[str, Any]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


def judgement(level: Any, quotes: list[tuple[int, str]], confidence: float = 0.8) -> str:
    return json.dumps(
        {
            "evidence": [{"segment": s, "quote": q} for s, q in quotes],
            "rationale": "scripted answer",
            "level": level,
            "confidence": confidence,
        }
    )


def _handler(endpoint: ScriptedEndpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            endpoint.requests.append(body)
            reply = endpoint.script(body)
            if reply is None:
                endpoint.stop.wait(300)
                return
            status, content = reply
            if status == 200:
                payload: dict[str, Any] = {
                    "id": "scripted",
                    "object": "chat.completion",
                    "model": body.get("model"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 20},
                }
            else:
                payload = {"error": {"message": content, "type": "server_error"}}
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def scripted_endpoint(script: Script) -> Iterator[ScriptedEndpoint]:
    endpoint = ScriptedEndpoint(base_url="", script=script)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(endpoint))
    server.daemon_threads = True
    endpoint.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        endpoint.stop.set()
        server.shutdown()
        server.server_close()
