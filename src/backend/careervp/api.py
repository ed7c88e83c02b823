"""The API layer every function shares: one resolver shape, one error shape, one Lambda entry point.

Request validation errors are answered with 400 (Powertools' default is 422) and a message naming each bad
field; bodies that are too large (413) or not JSON (415) are refused before any parsing, so bad input never
reaches a route and changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from careervp.config import ConfigurationError
from careervp.observability import logger, metrics, record_request_cost

JSON_CONTENT_TYPE = "application/json"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


class ErrorResponse(BaseModel):
    """The body of every 4xx/5xx answer."""

    statusCode: int = Field(examples=[400])  # camelCase: the shape of the errors Powertools itself returns
    message: str = Field(examples=["body.cv: Field required"])


def error_responses(*codes: int) -> dict[int, OpenAPIResponse]:
    """OpenAPI `responses` entries for the given error codes, all with the `ErrorResponse` body."""
    return {
        code: {
            "description": HTTPStatus(code).phrase,
            "content": {JSON_CONTENT_TYPE: {"model": ErrorResponse}},
        }
        for code in codes
    }


def ok_response(model: type[BaseModel], description: str, status: int = 200) -> dict[int, OpenAPIResponse]:
    """The OpenAPI `responses` entry for a successful answer carrying `model`."""
    return {status: {"description": description, "content": {JSON_CONTENT_TYPE: {"model": model}}}}


def created[T](body: T, location: str) -> Response[T]:
    """201 with the new resource and where to read it back."""
    return Response(
        status_code=HTTPStatus.CREATED.value,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={"Location": location},
    )


def error(status: HTTPStatus, message: str) -> Response[Any]:
    return Response(
        status_code=status.value,
        content_type=content_types.APPLICATION_JSON,
        body={"statusCode": status.value, "message": message},
    )


def describe_validation_errors(errors: list[Any]) -> str:
    """One readable line per bad field; input values are never echoed (they may be personal data)."""
    lines = []
    for item in errors:
        location = ".".join(str(part) for part in item.get("loc", ()))
        if item.get("type") == "json_invalid":
            detail = item.get("ctx", {}).get("error", "invalid JSON")
            position = item.get("loc", ())[-1:]
            where = f" (at character {position[0]})" if position and isinstance(position[0], int) else ""
            lines.append(f"request body is not valid JSON: {detail}{where}")
        else:
            lines.append(f"{location}: {item.get('msg', 'invalid value')}")
    return "; ".join(lines)


def _invalid_request(exc: RequestValidationError) -> Response[Any]:
    return error(HTTPStatus.BAD_REQUEST, describe_validation_errors(list(exc.errors())))


def _misconfigured(exc: ConfigurationError) -> Response[Any]:
    logger.error("function is misconfigured", extra={"reason": str(exc)})
    return error(HTTPStatus.INTERNAL_SERVER_ERROR, "the service is misconfigured; see its logs")


def create_resolver() -> APIGatewayRestResolver:
    """A resolver with validation on and the project's error shape for every failure mode."""
    app = APIGatewayRestResolver(enable_validation=True)
    app.exception_handler(RequestValidationError)(_invalid_request)
    app.exception_handler(ConfigurationError)(_misconfigured)
    return app


def _header(headers: Mapping[str, str] | None, name: str) -> str:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value or ""
    return ""


def body_size(event: Mapping[str, Any]) -> int:
    """Size in bytes of the request body as the client sent it."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return len(base64.b64decode(body, validate=True))
        except (binascii.Error, ValueError):
            return len(body)
    return len(body.encode())


def refuse_unacceptable_envelope(event: Mapping[str, Any], max_body_bytes: int) -> dict[str, Any] | None:
    """413 for an oversized body, 415 for a body that is not JSON; None when the request may proceed."""
    size = body_size(event)
    if size > max_body_bytes:
        return proxy_error(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            f"request body is {size} bytes; this endpoint accepts at most {max_body_bytes} bytes",
        )
    method = str(event.get("httpMethod", "")).upper()
    content_type = _header(event.get("headers"), "content-type").strip()
    media_type = content_type.split(";", 1)[0].strip().lower()
    if (method in BODY_METHODS or size) and media_type != JSON_CONTENT_TYPE:
        shown = content_type or "none"
        return proxy_error(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            f"Content-Type must be {JSON_CONTENT_TYPE}; got {shown!r}",
        )
    return None


def proxy_error(status: HTTPStatus, message: str) -> dict[str, Any]:
    """An API Gateway proxy response carrying the `ErrorResponse` body, for refusals made before routing."""
    return {
        "statusCode": status.value,
        "multiValueHeaders": {"Content-Type": [JSON_CONTENT_TYPE]},
        "body": json.dumps({"statusCode": status.value, "message": message}),
        "isBase64Encoded": False,
    }


def lambda_handler(app: APIGatewayRestResolver, *, function: str, max_body_bytes: int) -> LambdaHandler:
    """The Lambda entry point for `app`: envelope checks, structured logs, metrics and the cost estimate."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            refusal = refuse_unacceptable_envelope(event, max_body_bytes)
            if refusal is not None:
                logger.info(
                    "request refused", extra={"status": refusal["statusCode"], "path": event.get("path")}
                )
                return refusal
            return app.resolve(event, context)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            record_request_cost(function, elapsed_ms, int(context.memory_limit_in_mb))

    return handler
