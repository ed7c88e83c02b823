"""`careervp-ci serve` as a developer runs it: a real process, nothing set by hand, stopped with Ctrl-C."""

from __future__ import annotations

import json
import signal
import time
import urllib.request
from collections.abc import Iterator

import pytest
from careervp.billing.signature import signature_header
from careervp.resources import BUCKETS, TABLES
from careervp_local.messages_standin import REPLY_HEADING
from support.serve_process import STOP_SECONDS, Served, start


@pytest.fixture
def served() -> Iterator[Served]:
    running = start("--port", "0")
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait()


def get(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, object]:
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 (local http URL)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, json.loads(response.read())


def stop_with_ctrl_c(served: Served) -> tuple[int, str]:
    served.process.send_signal(signal.SIGINT)
    out, _ = served.process.communicate(timeout=STOP_SECONDS)
    return served.process.returncode, out


@pytest.mark.slow
def test_serve_answers_with_nothing_set_by_hand_and_ctrl_c_stops_it_cleanly(served: Served) -> None:
    status, health = get(f"{served.base_url}/health")
    payload = json.dumps(
        {
            "id": "evt_serve_1",
            "type": "customer.subscription.created",
            "created": 1_700_000_000,
            "data": {
                "object": {"object": "subscription", "id": "sub_s", "customer": "cus_s", "status": "active"}
            },
        }
    ).encode()
    signed = get(
        f"{served.base_url}/webhooks/stripe",
        data=payload,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": signature_header(payload, served.secret, timestamp=int(time.time())),
        },
    )

    tailored = get(
        f"{served.base_url}/cv-tailoring",
        data=json.dumps({"cv": "Jane Doe. Python.", "job_description": "Python and Go."}).encode(),
        headers={"Content-Type": "application/json", "Authorization": served.token},
    )

    code, rest = stop_with_ctrl_c(served)

    assert status == 200
    assert {check["status"] for check in health["checks"]} == {"ok"}  # type: ignore[index]
    assert signed == (200, {"event_id": "evt_serve_1", "outcome": "applied"})
    assert tailored[0] == 201
    assert tailored[1]["content"].startswith(REPLY_HEADING)  # type: ignore[index]
    assert any(
        line.startswith("model: the Messages-API stand-in at http://127.0.0.1:") for line in served.lines
    )
    assert served.secret.startswith("whsec_local_")
    assert sum(served.secret in line for line in served.lines) == 1, "the secret is printed once"
    assert code == 0, rest
    assert "Traceback" not in rest
    assert rest.strip().endswith("stopped")
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{served.base_url}/health", timeout=2)  # noqa: S310


@pytest.mark.slow
def test_serve_uses_a_running_emulator_and_keeps_what_it_already_holds(moto_endpoint: str) -> None:
    given = moto_endpoint.replace("localhost", "127.0.0.1")  # as a developer may type it
    first = start("--port", "0", "--endpoint", given)
    first_health = get(f"{first.base_url}/health")[0]
    first_code, _ = stop_with_ctrl_c(first)
    second = start("--port", "0", "--endpoint", given)
    second_health = get(f"{second.base_url}/health")[0]
    second_code, _ = stop_with_ctrl_c(second)

    assert (first_health, second_health, first_code, second_code) == (200, 200, 0, 0)
    made = len(TABLES) + len(BUCKETS) + 1  # and the user pool
    assert first.lines[0] == f"emulator: {moto_endpoint} ({made} tables, buckets and user pools created)"
    assert second.lines[0] == f"emulator: {moto_endpoint} (0 tables, buckets and user pools created)"


@pytest.mark.slow
def test_ctrl_c_stops_serve_started_with_sigint_ignored_and_blocked() -> None:
    """As a script's background job starts it (POSIX ignores SIGINT there), or a thread that blocks it."""
    served = start("--port", "0", launcher=("env", "--ignore-signal=INT", "--block-signal=INT"))
    try:
        code, rest = stop_with_ctrl_c(served)
    finally:
        if served.process.poll() is None:
            served.process.kill()
    assert code == 0 and rest.strip().endswith("stopped"), rest
