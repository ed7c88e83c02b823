"""CORS as a browser meets it, over real HTTP: the local server and the real handlers against moto, the SPA's
origin allowed (`careervp.cors`). A preflight carries no token and must still be answered 2xx."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from careervp.resources import ENV_VAR_CORS_ALLOWED_ORIGIN
from careervp_local.http_server import serve_locally

SPA_ORIGIN = "http://127.0.0.1:4173"


@pytest.fixture
def api(backend_env: dict[str, str]) -> Iterator[str]:
    with serve_locally({**backend_env, ENV_VAR_CORS_ALLOWED_ORIGIN: SPA_ORIGIN}) as url:
        yield url


def send(method: str, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, method=method, headers=headers)  # noqa: S310 (local http URL)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as failure:
        return failure.code, dict(failure.headers)


def preflight(url: str, origin: str, method: str, headers: str) -> tuple[int, dict[str, str]]:
    return send(
        "OPTIONS",
        url,
        {
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "method", "methods"),
    [
        ("/kb/documents", "GET", {"GET", "HEAD", "OPTIONS", "POST"}),
        ("/kb/documents/" + "a" * 32, "DELETE", {"DELETE", "GET", "HEAD", "OPTIONS"}),
        ("/interview-prep/report", "POST", {"OPTIONS", "POST"}),
    ],
)
def test_a_preflight_to_a_personal_route_without_a_token_is_2xx_for_the_spa_origin(
    api: str, path: str, method: str, methods: set[str]
) -> None:
    status, headers = preflight(f"{api}{path}", SPA_ORIGIN, method, "authorization,content-type")
    assert 200 <= status < 300, headers
    assert headers["Access-Control-Allow-Origin"] == SPA_ORIGIN
    assert set(headers["Access-Control-Allow-Methods"].split(", ")) == methods
    assert {"authorization", "content-type"} <= set(
        headers["Access-Control-Allow-Headers"].lower().split(", ")
    )
    assert "Origin" in headers["Vary"]


@pytest.mark.slow
def test_the_webhooks_preflight_allows_its_signature_header_and_no_token(api: str) -> None:
    status, headers = preflight(f"{api}/webhooks/stripe", SPA_ORIGIN, "POST", "content-type")
    assert status == 204
    assert headers["Access-Control-Allow-Headers"] == "Content-Type, Stripe-Signature"


@pytest.mark.slow
def test_another_origin_gets_no_cors_headers(api: str) -> None:
    status, headers = preflight(f"{api}/kb/documents", "https://evil.example", "GET", "authorization")
    assert status == 204
    assert "Access-Control-Allow-Origin" not in headers
    assert headers["Vary"] == "Origin"


@pytest.mark.slow
def test_the_spa_can_read_every_answer_its_401_included(api: str, id_token: str) -> None:
    signed_in, signed_in_headers = send(
        "GET", f"{api}/kb/documents", {"Origin": SPA_ORIGIN, "Authorization": id_token}
    )
    refused, refused_headers = send("GET", f"{api}/kb/documents", {"Origin": SPA_ORIGIN})
    assert (signed_in, refused) == (200, 401)
    assert signed_in_headers["Access-Control-Allow-Origin"] == SPA_ORIGIN
    assert refused_headers["Access-Control-Allow-Origin"] == SPA_ORIGIN
