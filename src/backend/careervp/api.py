"""The API layer every function shares: one resolver shape, one error shape, one Lambda entry point.

Request validation errors are answered with 400 (Powertools' default is 422) and a message naming each bad
field; methods a route does not declare, bodies that do not decode, are too large or are not JSON are
answered before any parsing (`careervp.envelope`), so bad input never reaches a route and changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from careervp.config import ConfigurationError
from careervp.cors import cors_headers, request_headers, with_headers
from careervp.envelope import JSON_CONTENT_TYPE, Accepted, admit, allowed_methods, header, proxy_response
from careervp.observability import logger, metrics, record_request_cost
from careervp.resources import Function

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


@dataclass(frozen=True)
class SignedJsonBody:
    """A JSON request body a route reads itself, with the header that signs it. The route verifies the
    signature over the exact bytes before parsing anything, so neither goes through a `Body()` or `Header()`
    parameter and a missing signature is refused like a wrong one (401); `careervp_local.openapi` documents
    both, required."""

    method: str
    path: str
    model: type[BaseModel]
    description: str
    signature_header: str
    signature_description: str


def ok_response(model: type[BaseModel], description: str, status: int = 200) -> dict[int, OpenAPIResponse]:
    """The OpenAPI `responses` entry for a successful answer carrying `model`."""
    return {status: {"description": description, "content": {JSON_CONTENT_TYPE: {"model": model}}}}


def created[T](body: T, location: str | None = None) -> Response[T]:
    """201 with the new resource, and where to read it back when the API serves it (a generated document is
    written for the caller only: it has no such place)."""
    return Response(
        status_code=HTTPStatus.CREATED.value,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={"Location": location} if location else None,
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


def _resolved(app: APIGatewayRestResolver, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The route's answer; a failure no route handles is a 500 in the error shape (with the request id to
    find it in the logs), never a crashed invocation that API Gateway answers with a bare 502."""
    try:
        return app.resolve(event, context)
    except Exception:  # the last line of defence: every request gets the error shape
        request_id = getattr(context, "aws_request_id", "")
        logger.exception("unhandled error while answering a request")
        return proxy_response(
            HTTPStatus.INTERNAL_SERVER_ERROR,
            f"the request failed unexpectedly; the function's logs have it under request id {request_id}",
        )


def _cors(event: dict[str, Any], function: Function, signature_headers: Sequence[str]) -> dict[str, str]:
    """The CORS headers of the answer to `event` (`careervp.cors`); a preflight's on OPTIONS."""
    origin = header(event.get("headers"), "origin")
    if str(event.get("httpMethod", "")).upper() != "OPTIONS":
        return cors_headers(origin)
    resource = str(event.get("resource") or event.get("path") or "")
    return cors_headers(
        origin,
        preflight_methods=allowed_methods(function, resource),
        preflight_headers=request_headers(function, signature_headers),
    )


def lambda_handler(
    app: APIGatewayRestResolver,
    *,
    function: Function,
    max_body_bytes: int,
    signature_headers: Sequence[str] = (),
) -> LambdaHandler:
    """The Lambda entry point for `app`: envelope checks, CORS, structured logs, metrics and the cost
    estimate. `signature_headers`: request headers a route verifies itself, which a preflight allows."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            return with_headers(
                _answer(app, function, max_body_bytes, event, context),
                _cors(event, function, signature_headers),
            )
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            record_request_cost(function.component, elapsed_ms, int(context.memory_limit_in_mb))

    return handler


def _answer(
    app: APIGatewayRestResolver,
    function: Function,
    max_body_bytes: int,
    event: dict[str, Any],
    context: LambdaContext,
) -> dict[str, Any]:
    admitted = admit(event, function, max_body_bytes)
    if not isinstance(admitted, Accepted):
        logger.info(
            "request answered before routing",
            extra={"status": admitted["statusCode"], "path": event.get("path")},
        )
        return admitted
    result = _resolved(app, admitted.event, context)
    return {**result, "body": ""} if admitted.head else result
