"""The e2e suite runner: every journey's verdict comes back as a line; a refused journey fails the run."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from careervp_ci.release import e2e_suite
from careervp_ci.release.e2e import run_suite

JOURNEYS = [name for name in vars(e2e_suite) if name.startswith("test_")]


class HealthyButBroken(BaseHTTPRequestHandler):
    """/health answers ok; every other request gets a 500, as an API whose tables are gone would."""

    def _answer(self) -> None:
        healthy = self.path == "/health"
        payload = json.dumps({"status": "ok"} if healthy else {"message": "internal error"}).encode()
        self.send_response(200 if healthy else 500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def broken_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), HealthyButBroken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_a_refused_journey_fails_the_run_and_is_named_with_the_reason(
    broken_api: str, tmp_path: Path
) -> None:
    result = run_suite(broken_api, "test-webhook-secret-suite", "an-id-token", tmp_path / "junit.xml")
    assert not result.ok
    assert result.exit_code == 1
    assert any(line.startswith("ok   e2e: test_the_service_is_healthy") for line in result.lines)
    failed = [line for line in result.lines if line.startswith("FAIL")]
    assert len(failed) == len(JOURNEYS) - 1, "every journey but health must fail"
    assert any(
        "test_a_knowledge_base_journey" in line and "internal error" in line and "e2e_suite.py:" in line
        for line in failed
    )
    assert any("test_the_personal_routes_need_a_signed_in_user" in line for line in failed)
    assert f'failures="{len(failed)}"' in (tmp_path / "junit.xml").read_text()


def test_an_unreachable_api_fails_every_journey(tmp_path: Path) -> None:
    result = run_suite("http://127.0.0.1:9", "test-webhook-secret-suite", "an-id-token")
    assert not result.ok
    assert result.lines and all(line.startswith("FAIL") for line in result.lines)
