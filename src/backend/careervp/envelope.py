"""The checks every request passes before routing: its method, its body's encoding, size and media type.

API Gateway sends every method of a route's resource to the function that owns the route (an `ANY` method
beside the declared ones, `careervp_infra.api`), and the local server does the same, so one piece of code
answers them all: 405 with `Allow` for a method the resource does not declare, 204 with `Allow` for
OPTIONS, HEAD as GET without a body, 400 for a body that does not decode (bad base64, invalid UTF-8), 413
for one that is too large and 415 for one that is not JSON. Media types compare case-insensitively
(RFC 9110 section 8.3.1). A method that takes no body has it ignored: no route gives one a meaning.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from careervp.resources import Function

JSON_CONTENT_TYPE = "application/json"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
ALWAYS_ALLOWED = ("OPTIONS",)


class Refusal(Exception):
    """A request answered before routing, with the `ErrorResponse` body."""

    def __init__(self, status: HTTPStatus, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})

    def proxy_response(self) -> dict[str, Any]:
        return proxy_response(self.status, self.message, self.headers)


@dataclass(frozen=True)
class Accepted:
    """A request that may be routed: the event to resolve, and whether to answer without a body (HEAD)."""

    event: dict[str, Any]
    head: bool = False


def proxy_response(
    status: HTTPStatus, message: str, headers: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """An API Gateway proxy response carrying the `ErrorResponse` body."""
    return {
        "statusCode": status.value,
        "multiValueHeaders": {
            "Content-Type": [JSON_CONTENT_TYPE],
            **{name: [value] for name, value in (headers or {}).items()},
        },
        "body": json.dumps({"statusCode": status.value, "message": message}),
        "isBase64Encoded": False,
    }


def allowed_methods(function: Function, resource: str) -> list[str]:
    """The methods `resource` answers: its declared routes, HEAD wherever GET is, and OPTIONS."""
    declared = {route.method for route in function.routes if route.path == resource}
    if not declared:
        return []
    extra = {"HEAD"} if "GET" in declared else set()
    return sorted(declared | extra | set(ALWAYS_ALLOWED))


def header(headers: Mapping[str, str] | None, name: str) -> str:
    """A request header's value by case-insensitive name ('' when absent)."""
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value or ""
    return ""


def media_type(content_type: str) -> str:
    """`type/subtype`, lower-cased, without parameters."""
    return content_type.split(";", 1)[0].strip().lower()


def decoded_body(event: Mapping[str, Any]) -> bytes:
    """The body's bytes as the client sent them; `Refusal` 400 when the base64 does not decode."""
    body = event.get("body") or ""
    if not event.get("isBase64Encoded"):
        return str(body).encode()
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise Refusal(HTTPStatus.BAD_REQUEST, "request body is not valid base64") from None


def _method_refusal(method: str, path: str, allowed: list[str]) -> Refusal:
    if not allowed:
        return Refusal(HTTPStatus.NOT_FOUND, f"no route for {path}")
    return Refusal(
        HTTPStatus.METHOD_NOT_ALLOWED,
        f"{method} is not allowed on {path}; use {', '.join(allowed)}",
        {"Allow": ", ".join(allowed)},
    )


def _body_checked(event: dict[str, Any], max_body_bytes: int) -> dict[str, Any]:
    raw = decoded_body(event)
    if len(raw) > max_body_bytes:
        raise Refusal(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            f"request body is {len(raw)} bytes; this endpoint accepts at most {max_body_bytes} bytes",
        )
    content_type = header(event.get("headers"), "content-type").strip()
    if media_type(content_type) != JSON_CONTENT_TYPE:
        shown = content_type or "none"
        raise Refusal(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"Content-Type must be {JSON_CONTENT_TYPE}; got {shown!r}"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refusal(
            HTTPStatus.BAD_REQUEST, f"request body is not valid UTF-8 (at byte {exc.start})"
        ) from None
    canonical = JSON_CONTENT_TYPE + content_type[len(content_type.split(";", 1)[0]) :]
    return _with(event, body=text, content_type=canonical)


def _with(event: dict[str, Any], *, body: str | None, content_type: str | None = None) -> dict[str, Any]:
    """`event` with a decoded text body and, when given, its Content-Type rewritten in canonical case."""
    prepared = {**event, "body": body, "isBase64Encoded": False}
    if content_type is not None:
        for key in ("headers", "multiValueHeaders"):
            kept = {
                name: value
                for name, value in (event.get(key) or {}).items()
                if name.lower() != "content-type"
            }
            kept["Content-Type"] = content_type if key == "headers" else [content_type]
            prepared[key] = kept
    return prepared


def _options(allowed: list[str]) -> dict[str, Any]:
    return {
        "statusCode": HTTPStatus.NO_CONTENT.value,
        "multiValueHeaders": {"Allow": [", ".join(allowed)]},
        "body": "",
        "isBase64Encoded": False,
    }


def _admit(event: dict[str, Any], function: Function, max_body_bytes: int) -> Accepted | dict[str, Any]:
    method = str(event.get("httpMethod", "")).upper()
    resource = str(event.get("resource") or event.get("path") or "")
    allowed = allowed_methods(function, resource)
    if method == "OPTIONS" and allowed:
        return _options(allowed)
    if method not in allowed:
        raise _method_refusal(method, str(event.get("path") or resource), allowed)
    if method == "HEAD":
        return Accepted(event=_with({**event, "httpMethod": "GET"}, body=None), head=True)
    if method in BODY_METHODS:
        return Accepted(event=_body_checked(event, max_body_bytes))
    return Accepted(event=_with(event, body=None))


def admit(event: dict[str, Any], function: Function, max_body_bytes: int) -> Accepted | dict[str, Any]:
    """The event to route, or the proxy response the client gets instead (a refusal, or OPTIONS' answer)."""
    try:
        return _admit(event, function, max_body_bytes)
    except Refusal as refusal:
        return refusal.proxy_response()
