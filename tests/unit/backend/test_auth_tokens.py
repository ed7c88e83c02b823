"""The local Cognito authorizer accepts only the pool's unexpired ID tokens for the app client, and says why
it refuses any other (each check pinned by a token that fails only that check)."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from careervp_local.authorizer import Pool, TokenRefused, authorizer_claims, verify
from cryptography.hazmat.primitives.asymmetric import rsa

POOL = Pool("eu-west-1_Abc123", "client-123")
KID = "pool-key"


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


POOL_KEY = _rsa()
OTHER_KEY = _rsa()


def _public_jwk(key: rsa.RSAPrivateKey, kid: str = KID) -> jwt.PyJWK:
    data = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return jwt.PyJWK({**data, "kid": kid, "alg": "RS256", "use": "sig"})


def pool_keys(token: str) -> jwt.PyJWK:
    """The pool's JWKS: one key, `KID`."""
    kid = jwt.get_unverified_header(token).get("kid")
    if kid != KID:
        raise jwt.PyJWKClientError(f'Unable to find a signing key that matches: "{kid}"')
    return _public_jwk(POOL_KEY)


def token(key: Any = POOL_KEY, kid: str = KID, algorithm: str = "RS256", **changes: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": POOL.issuer,
        "aud": POOL.client_id,
        "sub": "user-1",
        "token_use": "id",
        "email": "someone@example.com",
        "iat": now,
        "exp": now + 3600,
        **changes,
    }
    return jwt.encode(
        {k: v for k, v in claims.items() if v is not None}, key, algorithm, headers={"kid": kid}
    )


def refusal(raw: str) -> str:
    with pytest.raises(TokenRefused) as refused:
        verify(raw, POOL, pool_keys)
    return refused.value.reason


def test_a_valid_id_token_of_the_pool_for_the_client_passes_with_its_claims() -> None:
    claims = verify(token(), POOL, pool_keys)
    assert claims["sub"] == "user-1" and claims["email"] == "someone@example.com"


def test_the_issuer_is_cognitos_for_the_pool_and_the_jwks_comes_from_the_emulator_when_there_is_one() -> None:
    assert POOL.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123"
    assert POOL.jwks_url == f"{POOL.issuer}/.well-known/jwks.json"
    on_moto = Pool(POOL.pool_id, POOL.client_id, endpoint="http://localhost:5000/")
    assert on_moto.issuer == POOL.issuer
    assert on_moto.jwks_url == "http://localhost:5000/eu-west-1_Abc123/.well-known/jwks.json"


def test_a_missing_token_is_refused() -> None:
    assert refusal("") == "no token in the Authorization header"


def test_something_that_is_not_a_jwt_is_refused() -> None:
    assert refusal("Bearer nonsense").startswith("not a JWT")


def test_a_token_signed_by_another_key_under_the_pools_kid_is_refused() -> None:
    assert refusal(token(key=OTHER_KEY)) == "signature does not verify against the pool's JWKS"


def test_a_token_whose_kid_is_not_in_the_jwks_is_refused() -> None:
    assert refusal(token(kid="elsewhere")).startswith("no key of the pool's JWKS signed it")


def test_a_symmetric_or_unsigned_token_is_refused_before_any_key_is_looked_up() -> None:
    assert refusal(token(key="shared-secret-of-32-bytes-or-more!", algorithm="HS256")) == (
        "signed with 'HS256', expected RS256"
    )


def test_an_expired_token_is_refused() -> None:
    past = int(time.time()) - 60
    assert refusal(token(iat=past - 3600, exp=past)) == "token has expired"


def test_a_token_for_another_client_is_refused() -> None:
    assert refusal(token(aud="another-client")) == "audience is not the app client client-123"


def test_a_token_of_another_pool_is_refused() -> None:
    other = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other"
    assert refusal(token(iss=other)) == f"issuer is not {POOL.issuer}"


def test_an_access_token_is_refused_as_the_authorizer_takes_id_tokens() -> None:
    assert refusal(token(token_use="access")) == "token_use is 'access', expected 'id' (an ID token)"


@pytest.mark.parametrize("claim", ["exp", "aud", "iss", "token_use", "sub"])
def test_a_token_without_a_required_claim_is_refused(claim: str) -> None:
    removed: dict[str, Any] = {claim: None}
    assert refusal(token(**removed)) == f"no {claim!r} claim"


@pytest.mark.parametrize(
    ("pool_id", "client_id", "reason"),
    [("nounderscore", "c", "is not <region>_<id>"), ("eu-west-1_x", "", "no app client id")],
)
def test_a_pool_without_a_region_prefixed_id_or_a_client_is_a_configuration_error(
    pool_id: str, client_id: str, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        Pool(pool_id, client_id)


def test_claims_reach_the_function_as_strings_as_api_gateway_passes_them() -> None:
    assert authorizer_claims({"sub": "u", "exp": 5, "email_verified": True}) == {
        "sub": "u",
        "exp": "5",
        "email_verified": "True",
    }
