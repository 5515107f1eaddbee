"""A small client for any OpenAI-compatible chat completions endpoint.

Hosted APIs, vLLM, Ollama and llama.cpp all speak `POST {base_url}/chat/completions`. What they
disagree on is how to ask for JSON, so the client tries the forms in order of strictness and keeps
the first one the server accepts:

1. `{"type": "json_schema", "json_schema": {...}}` (OpenAI, vLLM, Ollama, llama.cpp's C++ server)
2. `{"type": "json_object", "schema": {...}}` (llama-cpp-python's server: grammar from the schema)
3. `{"type": "json_object"}` (JSON mode without a schema)
4. no `response_format` (the prompt alone asks for JSON; the answer is still validated)

Transient failures (timeouts, dropped connections, 429 and 5xx) are retried with exponential
backoff and jitter; a 429's Retry-After is honoured. A semaphore bounds the requests in flight.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

RESPONSE_FORMATS = ("json_schema", "json_object_schema", "json_object", "none")
MAX_RETRY_AFTER_S = 300.0  # a server asking for longer is treated as down, not waited on
# Requests in a row that gave up after every retry (5xx, timeouts) with no answer in between:
# the endpoint is down for everyone, and the run stops instead of retrying it for every call.
FAILED_REQUESTS_TO_STOP = 2


class LlmError(Exception):
    """The endpoint did not give a usable answer."""


class LlmUnavailableError(LlmError):
    """The endpoint cannot be reached at all: no point trying the next call."""


@dataclass(frozen=True)
class LlmEndpoint:
    """Where and how to reach the model. Plain values: picklable, printable without the key."""

    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 120.0
    max_retries: int = 4
    concurrency: int = 4
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    response_format: str = "auto"  # or one of RESPONSE_FORMATS

    @property
    def chat_url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    def __repr__(self) -> str:  # never print the API key
        return f"LlmEndpoint({self.chat_url!r}, model={self.model!r})"


@dataclass(frozen=True)
class ChatAnswer:
    content: str
    prompt_tokens: int | None
    completion_tokens: int | None
    finish_reason: str | None
    retries: int = 0  # transient failures retried before this answer came


@dataclass
class ClientStats:
    requests: int = 0  # HTTP requests sent, including retries
    retries: int = 0
    retry_reasons: dict[str, int] | None = None

    def note_retry(self, reason: str) -> None:
        self.retries += 1
        self.retry_reasons = self.retry_reasons or {}
        self.retry_reasons[reason] = self.retry_reasons.get(reason, 0) + 1


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            return str(error.get("message") or error)[:300]
        return str(error)[:300]
    return str(body)[:300]


def _format_unsupported(response: httpx.Response) -> bool:
    """The server refused the request because of how we asked for JSON (not a real failure)."""
    if response.status_code not in (400, 422, 500):
        return False
    text = response.text.lower()
    return "response_format" in text or "json_schema" in text


class ChatClient:
    """Thread-safe: one instance serves every scoring thread of a run."""

    def __init__(
        self,
        endpoint: LlmEndpoint,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self._http = httpx.Client(
            timeout=httpx.Timeout(endpoint.timeout, connect=min(10.0, endpoint.timeout)),
            transport=transport,
        )
        self._closed = threading.Event()
        # Backoff waits end early when the client is closed (Ctrl-C ends the run promptly).
        self._sleep = sleep or self._closed.wait
        self._slots = threading.BoundedSemaphore(max(1, endpoint.concurrency))
        self._lock = threading.Lock()
        self._format_index = (
            0
            if endpoint.response_format == "auto"
            else RESPONSE_FORMATS.index(endpoint.response_format)
        )
        self.stats = ClientStats()
        self._given_up_in_a_row = 0
        self._down: str | None = None  # why the endpoint is taken to be down

    def close(self) -> None:
        """Stop: waiting retries give up and requests in flight are cut off."""
        self._closed.set()
        self._http.close()

    @property
    def response_format(self) -> str:
        return RESPONSE_FORMATS[self._format_index]

    def _body(
        self, messages: list[dict[str, str]], schema: dict[str, Any], max_tokens: int
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.endpoint.model,
            "messages": messages,
            "temperature": 0,  # the same call scores the same way; the cache relies on it
            "max_tokens": max_tokens,
        }
        form = self.response_format
        if form == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "criterion_judgement", "schema": schema},
            }
        elif form == "json_object_schema":
            body["response_format"] = {"type": "json_object", "schema": schema}
        elif form == "json_object":
            body["response_format"] = {"type": "json_object"}
        return body

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.endpoint.api_key:
            headers["Authorization"] = f"Bearer {self.endpoint.api_key}"
        return headers

    def _backoff(self, attempt: int) -> float:
        delay = min(self.endpoint.backoff_max, self.endpoint.backoff_base * 2.0**attempt)
        return delay * (0.5 + random.random() / 2)  # jitter: parallel threads do not retry in step

    def _fall_back(self, tried: str) -> bool:
        """Move to the next, looser way of asking for JSON; False if there is none (or fixed)."""
        with self._lock:
            if self.endpoint.response_format != "auto":
                return False
            if self.response_format != tried:
                return True  # another thread already moved on
            if self._format_index + 1 >= len(RESPONSE_FORMATS):
                return False
            self._format_index += 1
            return True

    def complete(
        self, messages: list[dict[str, str]], *, schema: dict[str, Any], max_tokens: int
    ) -> ChatAnswer:
        """One chat completion, retried on transient failures. Raises LlmError when it gives up."""
        attempt = 0
        unreachable = False
        while True:
            if self._closed.is_set():
                raise LlmError("the scoring run was stopped")
            if self._down is not None:
                raise LlmUnavailableError(self._down)
            form = self.response_format
            delay: float | None = None
            failure: str
            with self._slots:
                with self._lock:
                    self.stats.requests += 1
                try:
                    response = self._http.post(
                        self.endpoint.chat_url,
                        json=self._body(messages, schema, max_tokens),
                        headers=self._headers(),
                    )
                except httpx.TimeoutException:
                    failure, unreachable = f"timed out after {self.endpoint.timeout:g}s", False
                except httpx.TransportError as exc:
                    failure = f"connection failed ({type(exc).__name__}: {exc})"
                    unreachable = isinstance(exc, httpx.ConnectError)
                else:
                    unreachable = False
                    if response.status_code == 200:
                        with self._lock:
                            self._given_up_in_a_row = 0
                        return replace(self._answer(response), retries=attempt)
                    if _format_unsupported(response) and self._fall_back(form):
                        continue  # not a retry: the server just wants JSON asked differently
                    status = response.status_code
                    failure = f"HTTP {status}: {_error_text(response)}"
                    if status == 429:
                        delay = retry_after_seconds(response.headers.get("Retry-After"))
                        if delay is not None and delay > MAX_RETRY_AFTER_S:
                            raise LlmError(
                                f"{self.endpoint.chat_url} asks to wait {delay:.0f}s (429); "
                                "giving up on this call"
                            )
                    elif status < 500:
                        hint = (
                            " (check CALLCOACH_LLM_BASE_URL: it usually ends in /v1)"
                            if status == 404
                            else ""
                        )
                        raise LlmError(f"{self.endpoint.chat_url} answered {failure}{hint}")
            if attempt >= self.endpoint.max_retries:
                message = (
                    f"{self.endpoint.chat_url}: {failure} (gave up after {attempt + 1} attempt(s))"
                )
                with self._lock:
                    self._given_up_in_a_row += 1
                    if self._given_up_in_a_row >= FAILED_REQUESTS_TO_STOP and self._down is None:
                        self._down = (
                            f"{message}; {self._given_up_in_a_row} requests in a row failed "
                            "with no answer in between, so the endpoint is taken to be down"
                        )
                    down = self._down
                if down is not None:
                    raise LlmUnavailableError(down)
                raise (LlmUnavailableError if unreachable else LlmError)(message)
            with self._lock:
                self.stats.note_retry(failure.split(":")[0].split(" (")[0])
            self._sleep(delay if delay is not None else self._backoff(attempt))
            attempt += 1

    @staticmethod
    def _answer(response: httpx.Response) -> ChatAnswer:
        try:
            body = response.json()
            choice = body["choices"][0]
            content = choice["message"].get("content")
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LlmError(f"not a chat completion response: {response.text[:200]!r}") from exc
        if not isinstance(content, str):
            raise LlmError("the model returned no text content")
        usage = body.get("usage") or {}
        return ChatAnswer(
            content=content,
            prompt_tokens=_int_or_none(usage.get("prompt_tokens")),
            completion_tokens=_int_or_none(usage.get("completion_tokens")),
            finish_reason=choice.get("finish_reason"),
        )


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def parse_json_content(content: str) -> Any:
    """The JSON in a model's answer, tolerating a Markdown code fence around it."""
    text = content.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else text[3:]
        text = text.rsplit("```", 1)[0]
    return json.loads(text)


def numbered_proposals(
    client: ChatClient,
    system_prompt: str,
    numbered: list[dict[str, Any]],
    schema: dict[str, Any],
    max_tokens: int,
) -> dict[int, dict[str, Any]]:
    """Send numbered sentences (`{"n": ..., "text": ..., ...}`) to the model under
    `system_prompt` and return its proposals by number; the caller checks each one.

    Raises LlmError, or ValueError/TypeError/AttributeError for an answer that is not the JSON
    asked for."""
    answer = client.complete(
        [
            {"role": "system", "content": system_prompt},
            {"role": "user", "content": json.dumps({"sentences": numbered}, ensure_ascii=False)},
        ],
        schema=schema,
        max_tokens=max_tokens,
    )
    data = parse_json_content(answer.content)
    return {
        int(item["n"]): item
        for item in data.get("sentences", [])
        if isinstance(item, dict) and isinstance(item.get("n"), int)
    }
