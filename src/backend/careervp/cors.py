"""CORS as a browser needs it: the SPA, served from its own origin, calls the API on another.

A browser sends a preflight (OPTIONS, with `Origin` and `Access-Control-Request-Method`/`-Headers`, never
an Authorization header) before any request that carries a token or a JSON body; the function answers it
(`careervp.envelope`) without a signed-in user, as API Gateway's OPTIONS methods let it. Only the
environment's SPA origin (`ENV_VAR_CORS_ALLOWED_ORIGIN`) is allowed, with the methods the route's resource
answers and the request headers its routes read; every answer to that origin, errors included, names it
in `Access-Control-Allow-Origin` so the SPA can read it. Another origin gets no CORS headers: the browser
then keeps the answer from the page (Fetch standard, CORS protocol).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from careervp.resources import ENV_VAR_CORS_ALLOWED_ORIGIN, Function

PREFLIGHT_MAX_AGE_SECONDS = 600
"""How long a browser may reuse a preflight's answer (Chromium caps it at 7200)."""


def allowed_origin() -> str:
    return os.environ.get(ENV_VAR_CORS_ALLOWED_ORIGIN, "").strip()


def request_headers(function: Function, signature_headers: Sequence[str] = ()) -> list[str]:
    """The request headers `function`'s routes read: Content-Type, the ID token unless public, and any
    header a route verifies itself (the webhook's signature)."""
    names = ["Content-Type", *(() if function.public else ("Authorization",)), *signature_headers]
    return list(dict.fromkeys(names))


def cors_headers(
    origin: str, *, preflight_methods: Sequence[str] = (), preflight_headers: Sequence[str] = ()
) -> dict[str, str]:
    """The CORS headers of an answer to a request from `origin` (a preflight's when methods are given);
    none unless `origin` is the allowed one. `Vary: Origin` whenever an origin is configured, so a cache
    never hands one origin's answer to another."""
    allowed = allowed_origin()
    if not allowed:
        return {}
    if origin != allowed:
        return {"Vary": "Origin"}
    headers = {"Access-Control-Allow-Origin": allowed, "Vary": "Origin"}
    if preflight_methods:
        headers["Access-Control-Allow-Methods"] = ", ".join(preflight_methods)
        headers["Access-Control-Allow-Headers"] = ", ".join(preflight_headers)
        headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE_SECONDS)
    return headers


def with_headers(response: dict[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
    """`response` (an API Gateway proxy response) with `headers` added to its multi-value headers."""
    if not headers:
        return response
    merged: dict[str, list[str]] = {
        name: list(values) for name, values in dict(response.get("multiValueHeaders") or {}).items()
    }
    for name, value in (dict(response.get("headers") or {})).items():
        merged.setdefault(name, [str(value)])
    for name, value in headers.items():
        merged[name] = [value]
    return {**response, "multiValueHeaders": merged, "headers": {}}
