"""The Lambda path: API Gateway proxy events, as the gateway sends them, straight into the handlers.

API Gateway routes every method of a route's resource to the function that owns it (see
`careervp_infra.api`), so methods, undecodable bodies and media types are answered by the handler itself.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from careervp.handlers import billing, health, kb
from careervp_local.http_server import LocalContext

DOCUMENT = {"title": "CV", "media_type": "text/plain", "content": "Python"}


def gateway_event(
    method: str,
    resource: str,
    *,
    body: str | None = None,
    base64_encoded: bool = False,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A REST API proxy event with only what API Gateway always sets."""
    sent = headers or {}
    return {
        "resource": resource,
        "path": resource,
        "httpMethod": method,
        "headers": sent,
        "multiValueHeaders": {name: [value] for name, value in sent.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {"requestId": "r-1", "stage": "v1", "resourcePath": resource, "httpMethod": method},
        "body": body,
        "isBase64Encoded": base64_encoded,
    }


def invoke(handler: Any, event: dict[str, Any], env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return handler(event, LocalContext(function_name="careervp-unit"))


def headers_of(result: dict[str, Any]) -> dict[str, str]:
    merged = {name.lower(): str(value) for name, value in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        merged[name.lower()] = ", ".join(str(value) for value in values)
    return merged


def error_body(result: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(result["body"])
    assert set(body) == {"statusCode", "message"}
    assert body["statusCode"] == result["statusCode"]
    return body


@pytest.mark.parametrize("method", ["PUT", "PATCH", "TRACE", "CONNECT", "BREW"])
def test_a_method_the_route_does_not_declare_is_405_with_allow_in_the_error_shape(
    method: str, backend_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = invoke(kb.handler, gateway_event(method, "/kb/documents"), backend_env, monkeypatch)

    assert result["statusCode"] == 405
    assert headers_of(result)["allow"] == "GET, HEAD, OPTIONS, POST"
    assert method in error_body(result)["message"]


def test_options_answers_204_with_the_allowed_methods(
    backend_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = invoke(
        kb.handler, gateway_event("OPTIONS", "/kb/documents/{document_id}"), backend_env, monkeypatch
    )

    assert result["statusCode"] == 204
    assert headers_of(result)["allow"] == "DELETE, GET, HEAD, OPTIONS"
    assert not result.get("body")


def test_head_answers_like_get_without_a_body(
    backend_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = invoke(health.handler, gateway_event("HEAD", "/health"), backend_env, monkeypatch)

    assert result["statusCode"] == 200
    assert headers_of(result)["content-type"] == "application/json"
    assert not result.get("body")


def test_head_on_a_route_without_get_is_405(
    backend_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = invoke(billing.handler, gateway_event("HEAD", "/webhooks/stripe"), backend_env, monkeypatch)

    assert result["statusCode"] == 405
    assert headers_of(result)["allow"] == "OPTIONS, POST"


@pytest.mark.parametrize(
    ("body", "message_part"),
    [
        pytest.param(base64.b64encode(b'{"title": "\xff\xfe"}').decode(), "UTF-8", id="invalid-utf8"),
        pytest.param("not base64!", "base64", id="invalid-base64"),
    ],
)
def test_a_body_that_does_not_decode_is_400_in_the_error_shape(
    body: str, message_part: str, backend_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    event = gateway_event(
        "POST",
        "/kb/documents",
        body=body,
        base64_encoded=True,
        headers={"Content-Type": "application/json"},
    )

    result = invoke(kb.handler, event, backend_env, monkeypatch)

    assert result["statusCode"] == 400
    assert message_part in error_body(result)["message"]


def test_a_base64_json_body_is_decoded_like_api_gateway_sends_it(
    backend_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded = base64.b64encode(json.dumps({**DOCUMENT, "content": "café"}).encode()).decode()
    event = gateway_event(
        "POST",
        "/kb/documents",
        body=encoded,
        base64_encoded=True,
        headers={"content-type": "application/json"},
    )

    result = invoke(kb.handler, event, backend_env, monkeypatch)

    assert result["statusCode"] == 201
    assert json.loads(result["body"])["size_bytes"] == len("café".encode())


@pytest.mark.parametrize("content_type", ["Application/JSON", "APPLICATION/json; Charset=UTF-8"])
def test_json_media_type_is_compared_case_insensitively(
    content_type: str, backend_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    event = gateway_event(
        "POST", "/kb/documents", body=json.dumps(DOCUMENT), headers={"Content-Type": content_type}
    )

    result = invoke(kb.handler, event, backend_env, monkeypatch)

    assert result["statusCode"] == 201


def test_a_body_on_a_route_that_takes_none_is_ignored(
    backend_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    event = gateway_event("GET", "/health", body="\x00 not json", headers={"Content-Type": "text/plain"})

    result = invoke(health.handler, event, backend_env, monkeypatch)

    assert result["statusCode"] == 200


def test_a_failure_no_route_handles_is_a_500_in_the_error_shape_not_a_crash(
    backend_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The handler once raised on a host IDNA could not encode; API Gateway answers a crashed invocation
    with its own 502, and the local server dropped the connection."""

    def broken_store() -> None:
        raise UnicodeError("label too long")

    monkeypatch.setattr(kb, "_store", broken_store)
    result = invoke(kb.handler, gateway_event("GET", "/kb/documents"), backend_env, monkeypatch)

    assert result["statusCode"] == 500
    assert "request id" in error_body(result)["message"]
    assert "label too long" not in result["body"]
