"""The API's Cognito authorizer over real HTTP, against the environment's user pool on a moto server: the
personal routes refuse a request without a valid ID token with 401, the public ones need none, and moto's
tokens carry Cognito's own issuer (the local server checks it, as API Gateway would)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import boto3
import jwt
import pytest
from careervp.resources import ENV_VAR_USER_POOL_CLIENT_ID, ENV_VAR_USER_POOL_ID, FUNCTIONS
from careervp_local import signin
from careervp_local.authorizer import Pool
from careervp_local.emulator import create_app_client

PROTECTED = sorted(
    {route.path for f in FUNCTIONS if not f.public for route in f.routes if "{" not in route.path}
)


def test_the_personal_routes_are_every_route_but_health_and_the_stripe_webhook() -> None:
    public = sorted(route.path for f in FUNCTIONS if f.public for route in f.routes)
    assert public == ["/health", "/webhooks/stripe"]
    assert "/kb/documents" in PROTECTED and "/cv-tailoring" in PROTECTED


@pytest.mark.parametrize("path", PROTECTED)
def test_a_personal_route_without_a_token_is_401_naming_why(path: str, http: Callable[..., Any]) -> None:
    reply = http("POST", path, json_body={}, signed_in=False)
    assert reply.status == 401
    assert reply.body == {"statusCode": 401, "message": "Unauthorized: no token in the Authorization header"}


def test_health_needs_no_token(http: Callable[..., Any]) -> None:
    assert http("GET", "/health", signed_in=False).status == 200


def test_a_signed_in_user_reaches_the_function(http: Callable[..., Any]) -> None:
    assert http("GET", "/kb/documents").status == 200


def test_a_token_with_a_forged_payload_is_refused_by_its_signature(
    http: Callable[..., Any], id_token: str
) -> None:
    header, payload, signature = id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "sub": "someone-else"}).encode()).rstrip(b"=")
    reply = http("GET", "/kb/documents", headers={"Authorization": f"{header}.{forged.decode()}.{signature}"})
    assert (reply.status, reply.body["message"]) == (
        401,
        "Unauthorized: signature does not verify against the pool's JWKS",
    )


def test_a_token_issued_to_another_app_client_of_the_pool_is_refused(
    http: Callable[..., Any], backend_env: dict[str, str]
) -> None:
    cognito = boto3.client("cognito-idp")
    pool_id = backend_env[ENV_VAR_USER_POOL_ID]
    other_client = create_app_client(cognito, pool_id, "another-app")
    password = signin.new_password()
    signin.sign_up(cognito, pool_id, other_client, "other-app-user@example.com", password)
    token = signin.id_token(cognito, other_client, "other-app-user@example.com", password)
    reply = http("GET", "/kb/documents", headers={"Authorization": token})
    assert reply.status == 401
    assert reply.body["message"] == (
        f"Unauthorized: audience is not the app client {backend_env[ENV_VAR_USER_POOL_CLIENT_ID]}"
    )


def test_motos_id_tokens_carry_cognitos_issuer_for_the_pool(
    id_token: str, backend_env: dict[str, str]
) -> None:
    claims = jwt.decode(id_token, options={"verify_signature": False})
    pool = Pool(backend_env[ENV_VAR_USER_POOL_ID], backend_env[ENV_VAR_USER_POOL_CLIENT_ID])
    assert claims["iss"] == pool.issuer
    assert (claims["token_use"], claims["aud"]) == ("id", pool.client_id)
