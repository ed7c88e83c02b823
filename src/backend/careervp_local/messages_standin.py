"""A stand-in of Anthropic's Messages API: what tests, `careervp-ci serve` and the emulator's smoke give the
SDK as its base URL, so nothing here ever calls the real model.

Development only. `POST /v1/messages` answers as the API does: a `message` (id, type, role, content, model,
stop_reason, stop_sequence, usage) whose text is deterministic (the same request always gets the same
reply, and the reply names a digest of the request), or the API's error shape (`{"type": "error", "error":
{"type", "message"}}`) for what the API refuses: a missing or wrong key (401 authentication_error), no
`anthropic-version` header or a malformed body (400 invalid_request_error), any other path (404). A reply
longer than the request's `max_tokens` (a token here is a word) is cut there, with stop reason
`max_tokens`. Every request is recorded (`requests`); `fail_next` queues failures (with `retry-after-ms`)
to exercise a caller's retries.

Served on 127.0.0.1 over HTTP (`serve_messages_standin`), or in memory as an HTTP transport for the SDK
(`MessagesStandIn.transport`: unit tests, no socket).
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2

from careervp_local.serving import serving

MESSAGES_PATH = "/v1/messages"
REPLY_HEADING = "# Stand-in reply"
"""The first line of every reply: what a test or the emulator smoke can tell a stand-in answer by."""
JSON = "application/json"


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]
    """Lower-cased names; the key headers are recorded as `<redacted>`."""
    body: Any


@dataclass
class Failure:
    status: int
    error_type: str
    retry_after_ms: int | None


@dataclass
class MessagesStandIn:
    """The Messages API's behaviour, independent of how requests reach it. `api_key`: the only key accepted
    (None: any non-empty key)."""

    api_key: str | None = None
    requests: list[RecordedRequest] = field(default_factory=list)
    _failures: list[Failure] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(
        self,
        status: int,
        times: int = 1,
        error_type: str = "overloaded_error",
        retry_after_ms: int | None = 1,
    ) -> None:
        """Answer the next `times` requests with `status` and the API's error body of `error_type`."""
        with self._lock:
            self._failures.extend(Failure(status, error_type, retry_after_ms) for _ in range(times))

    def handle(self, path: str, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        """One request: its status, headers and body as the API would answer it."""
        lowered = {name.lower(): value for name, value in headers.items()}
        try:
            parsed: Any = json.loads(body) if body else None
        except ValueError:
            parsed = None
        shown = {
            name: "<redacted>" if name in {"x-api-key", "authorization"} else value
            for name, value in lowered.items()
        }
        with self._lock:
            self.requests.append(RecordedRequest(path, shown, parsed))
        if path != MESSAGES_PATH:
            return _error(404, "not_found_error", f"no route {path}; the stand-in serves {MESSAGES_PATH}")
        key = lowered.get("x-api-key") or lowered.get("authorization", "").removeprefix("Bearer ").strip()
        if not key or (self.api_key is not None and key != self.api_key):
            return _error(401, "authentication_error", "invalid x-api-key")
        if not lowered.get("anthropic-version"):
            return _error(400, "invalid_request_error", "anthropic-version: header is required")
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            extra = {} if failure.retry_after_ms is None else {"retry-after-ms": str(failure.retry_after_ms)}
            return _error(failure.status, failure.error_type, "the stand-in was told to fail", extra)
        problem = _invalid(parsed)
        if problem:
            return _error(400, "invalid_request_error", problem)
        return 200, {"content-type": JSON, "request-id": "req_standin"}, json.dumps(reply(parsed)).encode()

    def transport(self) -> httpx2.MockTransport:
        """The stand-in as an in-memory HTTP transport (any host)."""

        def respond(request: httpx2.Request) -> httpx2.Response:
            status, headers, content = self.handle(request.url.path, dict(request.headers), request.read())
            return httpx2.Response(status, headers=headers, content=content)

        return httpx2.MockTransport(respond)


def _error(
    status: int, error_type: str, message: str, headers: Mapping[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    body = {"type": "error", "error": {"type": error_type, "message": message}}
    return status, {"content-type": JSON, **(headers or {})}, json.dumps(body).encode()


def _invalid(body: Any) -> str:
    """Why the API would refuse `body` ('' when it would not)."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model: Field required"
    tokens = body.get("max_tokens")
    if not isinstance(tokens, int) or isinstance(tokens, bool) or tokens < 1:
        return "max_tokens: must be an integer of at least 1"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages: at least one message is required"
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in {"user", "assistant"}:
            return f"messages.{index}.role: must be 'user' or 'assistant'"
        if not _text(message.get("content")):
            return f"messages.{index}.content: must not be empty"
    if "system" in body and not isinstance(body["system"], str | list):
        return "system: must be a string or a list of text blocks"
    return ""


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(block.get("text", "")) for block in content if isinstance(block, dict))
    return ""


def reply(body: Mapping[str, Any]) -> dict[str, Any]:
    """The deterministic `message` for a valid request body."""
    system = _text(body.get("system", ""))
    prompt = system + "".join(_text(message["content"]) for message in body["messages"])
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    first_line = next((line.strip() for line in system.splitlines() if line.strip()), "(no system prompt)")
    text = (
        f"{REPLY_HEADING}\n\nRequest {digest}: {len(body['messages'])} message(s), "
        f"{len(prompt)} characters of prompt.\n\nAsked: {first_line}\n"
    )
    words = text.split(" ")
    stop_reason = "end_turn"
    if len(words) > body["max_tokens"]:
        text, stop_reason = " ".join(words[: body["max_tokens"]]), "max_tokens"
    return {
        "id": f"msg_standin_{digest}",
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": max(1, math.ceil(len(prompt.encode()) / 4)),
            "output_tokens": len(text.split(" ")),
        },
    }


class _Handler(BaseHTTPRequestHandler):
    standin: MessagesStandIn
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, content = self.standin.handle(self.path.split("?", 1)[0], dict(self.headers), body)
        if self.command != "POST" and status != 404:
            status, headers, content = _error(405, "invalid_request_error", f"{self.command} is not allowed")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_POST = do_GET = _answer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests and the smoke print their own results."""


@dataclass(frozen=True)
class ServedStandIn:
    base_url: str
    """What the SDK takes as `base_url` ($ANTHROPIC_BASE_URL)."""
    standin: MessagesStandIn


@contextmanager
def serve_messages_standin(api_key: str | None = None) -> Iterator[ServedStandIn]:
    """Serve a stand-in on a free port of 127.0.0.1 for the block."""
    standin = MessagesStandIn(api_key=api_key)
    handler = type("MessagesStandInHandler", (_Handler,), {"standin": standin})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    with serving(server) as port:
        yield ServedStandIn(f"http://127.0.0.1:{port}", standin)
