"""Serves the real Lambda handlers over HTTP on this machine, the way API Gateway would call them.

Development only: nothing in `careervp` (the Lambda package) imports this package. Each request, whatever
its method, becomes an API Gateway REST proxy event routed by path to the function that owns the resource
(`careervp.resources.FUNCTIONS`), as the deployed API's `ANY` methods do; the function itself answers
methods it does not declare (`careervp.envelope`). Like the API's Cognito authorizer, it refuses a request
to a non-public function (`Function.public`) with 401 unless its Authorization header holds a valid ID token
of the user pool named in `env` (`careervp_local.authorizer`), and passes the token's claims to the function
in `requestContext.authorizer.claims`; a CORS preflight (OPTIONS, which browsers send without a token) goes
to the function unauthenticated, as the API's OPTIONS methods do.
Like Lambda, a function handles one request at a time:
invocations are serialised, and each runs with `env` applied to `os.environ` (restored afterwards), so
servers with different configurations can coexist in one process. `careervp-ci serve`, the integration
tests and the release's smoke test against `local` use it.
"""

from __future__ import annotations

import base64
import importlib
import json
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from careervp.resources import (
    ENV_VAR_CORS_ALLOWED_ORIGIN,
    ENV_VAR_USER_POOL_CLIENT_ID,
    ENV_VAR_USER_POOL_ID,
    FUNCTIONS,
    Function,
    Route,
)

from careervp_local.authorizer import KeyLookup, Pool, TokenRefused, authorizer_claims, jwks_keys, verify
from careervp_local.serving import serving

MAX_REQUEST_BYTES = 10 * 1024 * 1024
"""API Gateway's own payload limit; larger requests never reach a function."""
LOCAL_MEMORY_MB = 256
STAGE = "local"

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass(frozen=True)
class RouteMatch:
    function: Function
    route: Route
    path_parameters: dict[str, str]


def _path_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(
        f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$")


@dataclass(frozen=True)
class RouteTable:
    """Finds the function that owns a request, as API Gateway's resource tree does."""

    functions: tuple[Function, ...] = FUNCTIONS
    _patterns: tuple[tuple[re.Pattern[str], Function, Route], ...] = field(init=False)

    def __post_init__(self) -> None:
        patterns = tuple(
            (_path_pattern(route.path), function, route)
            for function in self.functions
            for route in function.routes
        )
        object.__setattr__(self, "_patterns", patterns)

    def match(self, path: str) -> RouteMatch | None:
        """The route whose resource `path` is (any of its methods: the function answers the others)."""
        for pattern, function, route in self._patterns:
            found = pattern.match(path)
            if found:
                parameters = {name: unquote(value) for name, value in found.groupdict().items()}
                return RouteMatch(function=function, route=route, path_parameters=parameters)
        return None


def proxy_event(
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    match: RouteMatch,
    *,
    claims: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The API Gateway REST proxy event for one request (`target` is the path plus query string), with the
    authorizer's `claims` when the route is protected."""
    split = urlsplit(target)
    query = parse_qs(split.query, keep_blank_values=True)
    try:
        text: str | None = body.decode() if body else None
        encoded = False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode(), True
    request_id = str(uuid.uuid4())
    return {
        "resource": match.route.path,
        "path": split.path,
        "httpMethod": method,
        "headers": dict(headers),
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": {name: values[-1] for name, values in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": match.path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "stage": STAGE,
            "requestId": request_id,
            "resourcePath": match.route.path,
            "httpMethod": method,
            "path": f"/{STAGE}{split.path}",
            "protocol": "HTTP/1.1",
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": "127.0.0.1", "userAgent": headers.get("User-Agent", "")},
            **({"authorizer": {"claims": dict(claims)}} if claims is not None else {}),
        },
        "body": text,
        "isBase64Encoded": encoded,
    }


@dataclass
class LocalContext:
    """The parts of the Lambda context object the handlers read."""

    function_name: str
    memory_limit_in_mb: int = LOCAL_MEMORY_MB
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:local:000000000000:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


_invocation_lock = threading.Lock()


def _load_handler(function: Function) -> Handler:
    module_name, _, attribute = function.handler.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    return handler


@contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def invoke(function: Function, event: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """Run `function`'s handler on `event`, one invocation at a time, with `env` applied."""
    handler = _load_handler(function)
    with _invocation_lock, _environment(env):
        return handler(event, LocalContext(function_name=f"careervp-local-{function.component}"))


def _response_headers(result: Mapping[str, Any]) -> list[tuple[str, str]]:
    headers = [(name, str(value)) for name, value in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((name, str(value)) for value in values)
    return headers


def _response_body(result: Mapping[str, Any]) -> bytes:
    body = result.get("body") or ""
    return base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()


class _LocalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], env: Mapping[str, str], pool: Pool) -> None:
        super().__init__(address, _RequestHandler)
        self.env = dict(env)
        self.routes = RouteTable()
        self.pool = pool
        self.keys: KeyLookup = jwks_keys(pool)


def user_pool(env: Mapping[str, str]) -> Pool:
    """The pool whose tokens the server accepts, from `env` (an emulator's pool: its JWKS is there)."""
    missing = [name for name in (ENV_VAR_USER_POOL_ID, ENV_VAR_USER_POOL_CLIENT_ID) if not env.get(name)]
    if missing:
        raise ValueError(
            f"{' and '.join(missing)} not set: the local server checks tokens as the API's Cognito "
            "authorizer does, against a user pool (careervp_local.emulator.provision makes one on moto)"
        )
    return Pool(env[ENV_VAR_USER_POOL_ID], env[ENV_VAR_USER_POOL_CLIENT_ID], env.get("AWS_ENDPOINT_URL", ""))


class _RequestHandler(BaseHTTPRequestHandler):
    server: _LocalServer
    protocol_version = "HTTP/1.1"

    def _reply(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        names = {name.lower() for name, _ in headers}
        for name, value in headers:
            if name.lower() != "content-length":
                self.send_header(name, value)
        if "content-type" not in names and body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _reply_error(
        self, status: HTTPStatus, message: str, extra: list[tuple[str, str]] | None = None
    ) -> None:
        body = json.dumps({"statusCode": status.value, "message": message}).encode()
        self._reply(status.value, [("Content-Type", "application/json"), *(extra or [])], body)

    def _gateway_cors(self) -> list[tuple[str, str]]:
        """What the API's gateway responses add to its own 401: the SPA's origin, so the SPA can read it."""
        allowed = self.server.env.get(ENV_VAR_CORS_ALLOWED_ORIGIN, "")
        if allowed and self.headers.get("Origin") == allowed:
            return [("Access-Control-Allow-Origin", allowed), ("Vary", "Origin")]
        return []

    def _serve(self) -> None:
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self.close_connection = True
            self._reply_error(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"request body over {MAX_REQUEST_BYTES} bytes"
            )
            return
        body = self.rfile.read(length) if length else b""
        match = self.server.routes.match(path)
        if match is None:
            self._reply_error(HTTPStatus.NOT_FOUND, f"no route for {path}")
            return
        headers = {name: value for name, value in self.headers.items()}
        claims = None
        if not match.function.public and self.command != "OPTIONS":  # a preflight carries no token
            try:
                claims = authorizer_claims(
                    verify(self.headers.get("Authorization", ""), self.server.pool, self.server.keys)
                )
            except TokenRefused as refused:
                self._reply_error(
                    HTTPStatus.UNAUTHORIZED, f"Unauthorized: {refused.reason}", self._gateway_cors()
                )
                return
        event = proxy_event(self.command, self.path, headers, body, match, claims=claims)
        try:
            result = invoke(match.function, event, self.server.env)
        except Exception as failure:  # API Gateway answers a crashed invocation; so does this
            self._reply_error(HTTPStatus.BAD_GATEWAY, f"the function failed: {type(failure).__name__}")
            return
        self._reply(int(result["statusCode"]), _response_headers(result), _response_body(result))

    def __getattr__(self, name: str) -> Any:
        """`do_<METHOD>` for every method: the function that owns the path answers each one."""
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed requests (bad request line, oversized headers) get the API's JSON error shape too."""
        self.close_connection = True
        status = HTTPStatus(code)
        self._reply_error(status, message or status.phrase)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the handlers' structured logs already record every request."""


FIRST_REQUEST_IMPORTS = ("boto3", "anthropic")
"""What handlers import on the first request that needs it, to keep Lambda's cold starts short."""


def warm_up() -> None:
    """Every handler and what handlers load on their first request, imported before the server answers.
    One process serves every function here, started cold by each test session: on a loaded 2-core machine
    the first model request's imports (the Anthropic SDK: ~4 s idle) outlasted API Gateway's 30 s."""
    for function in FUNCTIONS:
        _load_handler(function)
    for module in FIRST_REQUEST_IMPORTS:
        importlib.import_module(module)


@contextmanager
def serve_locally(env: Mapping[str, str], host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve every function's routes on `host:port` (0 picks a free port), warmed up, and yield the base
    URL; a ValueError when `env` names no user pool."""
    warm_up()
    with serving(_LocalServer((host, port), env, user_pool(env))) as bound:
        yield f"http://{host}:{bound}"
