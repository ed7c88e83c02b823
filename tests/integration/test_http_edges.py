"""What a real client or scanner sends over HTTP, answered in the API's JSON error shape (never HTML, never
a dropped connection). The same answers come from the handlers on API Gateway events:
tests/unit/backend/test_api_envelope.py."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest

DOCUMENT = {"title": "CV", "media_type": "Text/Markdown", "content": "# Jane"}


@contextmanager
def connection(base_url: str) -> Iterator[http.client.HTTPConnection]:
    split = urlsplit(base_url)
    conn = http.client.HTTPConnection(split.hostname or "127.0.0.1", split.port, timeout=10)
    try:
        yield conn
    finally:
        conn.close()


def send(
    base_url: str, method: str, path: str, body: bytes | None = None, **headers: str
) -> tuple[int, Any, Any]:
    with connection(base_url) as conn:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        return response.status, response.headers, raw


def error_shape(status: int, raw: bytes) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(raw)
    assert body["statusCode"] == status
    assert isinstance(body["message"], str)
    return body


@pytest.mark.parametrize("method", ["TRACE", "PUT", "PATCH", "DELETE", "BREW"])
def test_an_undeclared_method_is_405_with_allow_in_the_json_error_shape(base_url: str, method: str) -> None:
    status, headers, raw = send(base_url, method, "/health")

    assert status == 405
    assert headers["Allow"] == "GET, HEAD, OPTIONS"
    assert headers["Content-Type"] == "application/json"
    assert method in error_shape(status, raw)["message"]


def test_head_answers_like_get_without_a_body_and_options_lists_the_methods(
    base_url: str, id_token: str
) -> None:
    head_status, head_headers, head_body = send(base_url, "HEAD", "/health")
    options_status, options_headers, options_body = send(
        base_url, "OPTIONS", "/kb/documents", Authorization=id_token
    )

    assert (head_status, head_body) == (200, b"")
    assert head_headers["Content-Type"] == "application/json"
    assert (options_status, options_body) == (204, b"")
    assert options_headers["Allow"] == "GET, HEAD, OPTIONS, POST"


def test_an_unknown_path_is_404_in_the_json_error_shape_for_any_method(base_url: str) -> None:
    status, _, raw = send(base_url, "OPTIONS", "/nope")

    assert status == 404
    assert "/nope" in error_shape(status, raw)["message"]


def test_a_body_that_is_not_utf8_is_400_in_the_json_error_shape(base_url: str, id_token: str) -> None:
    status, _, raw = send(
        base_url,
        "POST",
        "/kb/documents",
        b'{"title": "\xff"}',
        **{"Content-Type": "application/json", "Authorization": id_token},
    )

    assert status == 400
    assert "UTF-8" in error_shape(status, raw)["message"]


def test_media_types_compare_case_insensitively(base_url: str, id_token: str) -> None:
    status, _, raw = send(
        base_url,
        "POST",
        "/kb/documents",
        json.dumps(DOCUMENT).encode(),
        **{"Content-Type": "Application/JSON; Charset=UTF-8", "Authorization": id_token},
    )

    assert status == 201
    assert json.loads(raw)["media_type"] == "text/markdown"


def test_a_request_the_server_cannot_parse_gets_the_json_error_shape(base_url: str) -> None:
    with connection(base_url) as conn:
        conn.connect()
        assert conn.sock is not None
        conn.sock.sendall(b"GET /health HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n")
        reply = b""
        while chunk := conn.sock.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")

    assert head.startswith(b"HTTP/1.1 431")
    assert b"Content-Type: application/json" in head
    assert "Line too long" in error_shape(431, body)["message"]
