"""The smoke checks against a stand-in API on 127.0.0.1: values captured from one response fill the next
request, a webhook goes out signed as Stripe signs it, and the first failing check stops the run."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from careervp.billing.signature import compute_signature
from careervp_ci.release.smoke import CHECKS, Check, run_checks, smoke_failure

Answer = Callable[[str, str, dict[str, str], bytes], tuple[int, dict[str, object] | None]]
"""(method, path, headers, body) -> (status, JSON body)."""
SIGNING_VALUE = "test-signing-value"


@pytest.fixture
def api() -> Iterator[Callable[[Answer], str]]:
    servers: list[ThreadingHTTPServer] = []

    def serve(answer: Answer) -> str:
        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, document = answer(self.command, self.path, dict(self.headers), body)
                payload = b"" if document is None else json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *_: object) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_captured_value_fills_the_later_checks(api: Callable[[Answer], str]) -> None:
    seen: list[str] = []

    def answer(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, object]]:
        seen.append(f"{method} {path}")
        return (201, {"document_id": "doc-7"}) if method == "POST" else (200, {"id": path.rsplit("/", 1)[1]})

    checks = (
        Check(
            "kb", "create", "POST", "/kb", 201, body={"title": "t"}, capture={"document_id": "document_id"}
        ),
        Check("kb", "read", "GET", "/kb/{document_id}", 200, expect={"id": "{document_id}"}),
    )
    results = run_checks(api(answer), SIGNING_VALUE, checks)
    assert [result.ok for result in results] == [True, True]
    assert seen == ["POST /kb", "GET /kb/doc-7"]
    assert results[1].line() == "ok   kb: read (GET /kb/{document_id}) HTTP 200"


def test_the_webhook_is_signed_with_the_configured_secret(api: Callable[[Answer], str]) -> None:
    signatures: list[tuple[str, bytes]] = []

    def answer(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, object]]:
        signatures.append((headers["Stripe-Signature"], body))
        return 200, {"event_id": json.loads(body)["id"]}

    webhook = next(check for check in CHECKS if check.signed)
    (result,) = run_checks(api(answer), SIGNING_VALUE, (webhook,))
    assert result.ok, result.detail
    header, body = signatures[0]
    stamp, signature = (part.split("=", 1)[1] for part in header.split(","))
    assert signature == compute_signature(body, int(stamp), SIGNING_VALUE)


def test_the_first_failing_check_stops_the_run_and_says_what_came_back(api: Callable[[Answer], str]) -> None:
    def answer(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, object]]:
        return 503, {"message": "unavailable"}

    results = run_checks(api(answer), SIGNING_VALUE)
    assert len(results) == 1
    assert not results[0].ok
    assert (
        results[0].line().startswith("FAIL health: service reports healthy (GET /health) expected HTTP 200")
    )
    assert "got 503" in results[0].detail


def test_the_smoke_user_token_goes_to_personal_routes_and_the_authentication_checks_send_none_or_a_forged_one(
    api: Callable[[Answer], str],
) -> None:
    header = "eyJhbGciOiJSUzI1NiJ9"
    payload = "eyJzdWIiOiJ1c2VyLTEifQ"  # {"sub":"user-1"}
    token = f"{header}.{payload}.c2lnbmF0dXJl"
    sent: list[str | None] = []

    def answer(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, None]:
        sent.append(headers.get("Authorization"))
        return (200 if headers.get("Authorization") == token else 401), None

    checks = tuple(check for check in CHECKS if check.feature in ("health", "authentication"))
    results = run_checks(api(answer), SIGNING_VALUE, checks, {"id_token": token})

    assert [result.ok for result in results] == [False]  # health is public: it sends no token
    assert sent == [None]
    sent.clear()
    results = run_checks(api(answer), SIGNING_VALUE, checks[1:], {"id_token": token})
    assert [result.ok for result in results] == [True, True, True], [result.detail for result in results]
    forged = sent[1]
    assert sent[0] is None and sent[2] == token
    assert forged is not None and forged != token
    assert forged.startswith(f"{header}.") and forged.endswith(".c2lnbmF0dXJl")
    assert "someone-else" in base64.urlsafe_b64decode(forged.split(".")[1] + "==").decode()


def test_without_a_smoke_user_no_check_sends_a_token(api: Callable[[Answer], str]) -> None:
    sent: list[str | None] = []

    def answer(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, None]:
        sent.append(headers.get("Authorization"))
        return 200, None

    run_checks(api(answer), SIGNING_VALUE, (Check("kb", "list", "GET", "/kb/documents", 200),))
    assert sent == [None]


def test_an_unreachable_api_is_a_failed_check_not_a_crash() -> None:
    (result,) = run_checks("http://127.0.0.1:9", SIGNING_VALUE, CHECKS[:1])
    assert not result.ok
    assert result.detail.startswith("request failed:")


def test_a_failed_smoke_is_recorded_by_its_first_failing_line_not_its_last() -> None:
    lines = [
        "ok   health: service reports healthy (GET /health) HTTP 200",
        "FAIL frontend: config.json names the API config.json in the SPA's bucket is None",
        "ok   frontend: the SPA in Chromium shows the API healthy",
        "n/v  frontend: CloudFront serves the deployed SPA not verifiable on this target: no CDN",
    ]
    assert smoke_failure(lines) == lines[1]
    assert (
        smoke_failure(lines[3:])
        == "no smoke check passed (0 smoke checks passed, 1 not verifiable on this target)"
    )
