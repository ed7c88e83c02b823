"""The Messages-API stand-in answers as the API does: a deterministic message, or the API's error shape for
what the API refuses; key headers are never recorded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from careervp_local.messages_standin import MESSAGES_PATH, REPLY_HEADING, MessagesStandIn

HEADERS = {"X-Api-Key": "k", "anthropic-version": "2023-06-01", "Content-Type": "application/json"}
BODY = {
    "model": "m",
    "max_tokens": 100,
    "messages": [{"role": "user", "content": "Hi"}],
    "system": "Be brief.",
}


def send(
    standin: MessagesStandIn, body: Any = BODY, headers: dict[str, str] = HEADERS, path: str = MESSAGES_PATH
) -> tuple[int, Any]:
    status, _, content = standin.handle(path, headers, json.dumps(body).encode())
    return status, json.loads(content)


def test_a_valid_request_gets_a_message_with_usage_and_is_recorded_without_its_key() -> None:
    standin = MessagesStandIn(api_key="k")
    status, message = send(standin)
    assert status == 200
    assert {key: message[key] for key in ("type", "role", "model", "stop_reason")} == {
        "type": "message",
        "role": "assistant",
        "model": "m",
        "stop_reason": "end_turn",
    }
    assert message["content"][0]["text"].startswith(f"{REPLY_HEADING}\n\nRequest ")
    assert "Asked: Be brief." in message["content"][0]["text"]
    assert message["usage"]["input_tokens"] >= 1 and message["usage"]["output_tokens"] >= 1
    assert send(standin)[1] == message
    assert standin.requests[0].headers["x-api-key"] == "<redacted>"
    assert standin.requests[0].body == BODY


@pytest.mark.parametrize(
    ("body", "headers", "path", "status", "error"),
    [
        (BODY, HEADERS, "/v1/complete", 404, "not_found_error"),
        (BODY, {**HEADERS, "X-Api-Key": "other"}, MESSAGES_PATH, 401, "authentication_error"),
        (BODY, {"anthropic-version": "2023-06-01"}, MESSAGES_PATH, 401, "authentication_error"),
        (BODY, {"X-Api-Key": "k"}, MESSAGES_PATH, 400, "invalid_request_error"),
        ([1], HEADERS, MESSAGES_PATH, 400, "invalid_request_error"),
        ({**BODY, "max_tokens": 0}, HEADERS, MESSAGES_PATH, 400, "invalid_request_error"),
        ({**BODY, "messages": []}, HEADERS, MESSAGES_PATH, 400, "invalid_request_error"),
        (
            {**BODY, "messages": [{"role": "system", "content": "x"}]},
            HEADERS,
            MESSAGES_PATH,
            400,
            "invalid_request_error",
        ),
        ({**BODY, "model": ""}, HEADERS, MESSAGES_PATH, 400, "invalid_request_error"),
    ],
)
def test_what_the_api_refuses_gets_its_error_shape(
    body: Any, headers: dict[str, str], path: str, status: int, error: str
) -> None:
    answered, content = send(MessagesStandIn(api_key="k"), body, headers, path)
    assert answered == status
    assert content["type"] == "error" and content["error"]["type"] == error


def test_queued_failures_come_first_with_the_wait_asked_for() -> None:
    standin = MessagesStandIn()
    standin.fail_next(529, times=1, retry_after_ms=7)
    status, headers, _ = standin.handle(MESSAGES_PATH, HEADERS, json.dumps(BODY).encode())
    assert (status, headers["retry-after-ms"]) == (529, "7")
    assert send(standin)[0] == 200
