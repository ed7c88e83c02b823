"""Backend unit fixtures: moto's in-process AWS, the project's resources in it, and a way to call the API."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from careervp.generation import client
from careervp.resources import (
    ENV_VAR_ANTHROPIC_API_KEY,
    ENV_VAR_ANTHROPIC_BASE_URL,
    ENV_VAR_STRIPE_WEBHOOK_SECRET,
)
from careervp_local.emulator import provision, resource_env
from careervp_local.http_server import RouteTable, invoke, proxy_event
from careervp_local.messages_standin import MessagesStandIn
from moto import mock_aws

WEBHOOK_SECRET = "test-webhook-secret-unit_test_secret"
MODEL_KEY = "test-model-key-unit"
STANDIN_URL = "http://messages-standin.invalid"
"""Never resolved: the `model` fixture gives the SDK an in-memory transport to the stand-in."""


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: dict[str, list[str]]


Call = Callable[..., Reply]


@pytest.fixture
def backend_env() -> Iterator[dict[str, str]]:
    """moto started, every table and the bucket created; yields the handlers' environment."""
    env = {
        **resource_env("unit", version="1.2.3"),
        ENV_VAR_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        ENV_VAR_ANTHROPIC_API_KEY: MODEL_KEY,
        ENV_VAR_ANTHROPIC_BASE_URL: STANDIN_URL,
    }
    with mock_aws():
        provision(env)
        yield env


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> MessagesStandIn:
    """The Messages-API stand-in behind the real SDK, in memory (no socket): it accepts `MODEL_KEY` only."""
    standin = MessagesStandIn(api_key=MODEL_KEY)
    monkeypatch.setattr(client, "http_client_factory", lambda: httpx2.Client(transport=standin.transport()))
    return standin


@pytest.fixture
def call(backend_env: dict[str, str]) -> Call:
    """Send one request through the same routing and event shape API Gateway (and serve_locally) use."""
    routes = RouteTable()

    def send(
        method: str,
        target: str,
        *,
        json_body: Any = None,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        env: dict[str, str] | None = None,
    ) -> Reply:
        sent_headers = dict(headers or {})
        raw = body.encode() if isinstance(body, str) else (body or b"")
        if json_body is not None:
            raw = json.dumps(json_body).encode()
            sent_headers.setdefault("Content-Type", "application/json")
        match = routes.match(target.split("?", 1)[0])
        assert match is not None, f"no route for {target}"
        result = invoke(
            match.function, proxy_event(method, target, sent_headers, raw, match), env or backend_env
        )
        text = result.get("body") or ""
        return Reply(
            status=result["statusCode"],
            body=json.loads(text) if text else None,
            headers={
                name.lower(): values for name, values in (result.get("multiValueHeaders") or {}).items()
            },
        )

    return send
