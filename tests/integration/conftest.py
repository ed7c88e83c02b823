"""Integration fixtures: a real moto server over HTTP, and the handlers served locally against it.

`moto_endpoint` (session) is reusable by any integration test that needs an AWS emulator on 127.0.0.1.
`id_token` is a user's, signed up in the test environment's user pool on moto and signed in; `http` sends
it in the Authorization header unless told otherwise, as a signed-in client would.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from careervp.resources import (
    ENV_VAR_ANTHROPIC_API_KEY,
    ENV_VAR_ANTHROPIC_BASE_URL,
    ENV_VAR_RESEARCH_ALLOWED_HOSTS,
    ENV_VAR_STRIPE_WEBHOOK_SECRET,
    ENV_VAR_USER_POOL_CLIENT_ID,
    ENV_VAR_USER_POOL_ID,
)
from careervp_ci.release.moto_server import MotoServer
from careervp_local import signin
from careervp_local.emulator import provision, resource_env
from careervp_local.http_server import serve_locally
from careervp_local.messages_standin import ServedStandIn, serve_messages_standin

WEBHOOK_SECRET = "test-webhook-secret-integration_secret"
MODEL_KEY = "test-model-key-integration"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A moto server on a free port; the URL uses `localhost` (moto reads a 127.0.0.1 host as a bucket)."""
    server = MotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    try:
        yield f"http://localhost:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def messages_standin() -> Iterator[ServedStandIn]:
    """The Messages-API stand-in on 127.0.0.1 (accepting `MODEL_KEY` only): the SDK's base URL in every
    integration test, so no test calls the real model."""
    with serve_messages_standin(api_key=MODEL_KEY) as served:
        yield served


@pytest.fixture
def backend_env(
    moto_endpoint: str, messages_standin: ServedStandIn, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Fresh tables and bucket in the moto server, under a unique environment name for this test."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    env = {
        **resource_env(f"it{uuid.uuid4().hex[:8]}", version="9.9.9"),
        ENV_VAR_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        ENV_VAR_RESEARCH_ALLOWED_HOSTS: "127.0.0.1",  # company research never leaves this machine
        ENV_VAR_ANTHROPIC_API_KEY: MODEL_KEY,
        ENV_VAR_ANTHROPIC_BASE_URL: messages_standin.base_url,  # nor does writing with the model
        "AWS_ENDPOINT_URL": moto_endpoint,
    }
    provision(env)
    return env


@pytest.fixture
def base_url(backend_env: dict[str, str]) -> Iterator[str]:
    with serve_locally(backend_env) as url:
        yield url


@pytest.fixture
def id_token(backend_env: dict[str, str]) -> str:
    """A signed-up, confirmed user's ID token from the environment's user pool on moto."""
    cognito = boto3.client("cognito-idp")
    email, password = f"user-{uuid.uuid4().hex[:8]}@example.com", signin.new_password()
    pool_id, client_id = backend_env[ENV_VAR_USER_POOL_ID], backend_env[ENV_VAR_USER_POOL_CLIENT_ID]
    signin.sign_up(cognito, pool_id, client_id, email, password)
    return signin.id_token(cognito, client_id, email, password)


@dataclass(frozen=True)
class HttpReply:
    status: int
    body: Any
    headers: dict[str, str]


@pytest.fixture
def http(base_url: str, id_token: str) -> Callable[..., HttpReply]:
    """Send one real HTTP request to the locally served API, waiting as API Gateway would (30 s): a model
    route's first request imports the Anthropic SDK, over 10 s on a loaded machine. Signed in as
    `id_token`'s user unless `signed_in=False`."""

    def send(
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        signed_in: bool = True,
    ) -> HttpReply:
        sent = ({"Authorization": id_token} if signed_in else {}) | dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body).encode()
            sent.setdefault("Content-Type", "application/json")
        url = f"{base_url}{path}"  # always the local http server
        request = urllib.request.Request(url, data=data, method=method, headers=sent)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (a local http URL)
                status, raw, reply_headers = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as failure:
            status, raw, reply_headers = failure.code, failure.read(), dict(failure.headers)
        return HttpReply(status=status, body=json.loads(raw) if raw else None, headers=reply_headers)

    return send
