"""The API's Cognito authorizer, played on this machine: which ID tokens API Gateway would let through.

Deployed, API Gateway checks each token itself and the functions only ever see its claims, so this module
is development only (never in the Lambda package, which would carry `cryptography` for nothing). The local
server (`careervp_local.http_server`) runs it on every route of a non-public function
(`careervp.resources.Function.public`) and hands the claims on in `requestContext.authorizer.claims`.

A token passes when its RS256 signature verifies against a key of the pool's JWKS and it is an unexpired ID
token (`token_use` "id") issued by the pool (`iss`) to the app client (`aud`); any other token is refused
with the reason. The issuer is Cognito's, `https://cognito-idp.<region>.amazonaws.com/<pool id>`, on AWS
and on moto alike (moto signs its tokens with that `iss`); only where the JWKS is fetched from differs: an
emulator serves it at `<endpoint>/<pool id>/.well-known/jwks.json`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt

ALGORITHM = "RS256"
"""The only algorithm Cognito signs user-pool tokens with; anything else (`none`, HS256) is refused."""
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub", "token_use")
TOKEN_USE = "id"  # noqa: S105 (a claim value, not a secret)
"""API Gateway's Cognito authorizer without OAuth scopes accepts ID tokens (their `aud` is the client)."""

KeyLookup = Callable[[str], jwt.PyJWK]
"""The signing key for a token (by its `kid`), from the pool's JWKS; raises `jwt.PyJWKClientError`."""


class TokenRefused(Exception):
    """The token would not pass the authorizer; `reason` says why (API Gateway answers 401)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Pool:
    """Whose tokens are accepted: the pool (issuer, JWKS) and the app client they must be issued to."""

    pool_id: str
    client_id: str
    endpoint: str = ""
    """An AWS emulator's URL (it serves the JWKS); empty on AWS."""

    def __post_init__(self) -> None:
        region, underscore, suffix = self.pool_id.partition("_")
        if not (region and underscore and suffix):
            raise ValueError(f"user pool id {self.pool_id!r} is not <region>_<id>")
        if not self.client_id:
            raise ValueError("no app client id: tokens cannot be checked against an audience")

    @property
    def issuer(self) -> str:
        region = self.pool_id.partition("_")[0]
        return f"https://cognito-idp.{region}.amazonaws.com/{self.pool_id}"

    @property
    def jwks_url(self) -> str:
        base = f"{self.endpoint.rstrip('/')}/{self.pool_id}" if self.endpoint else self.issuer
        return f"{base}/.well-known/jwks.json"


def jwks_keys(pool: Pool) -> KeyLookup:
    """Keys from the pool's JWKS over HTTP, fetched once and cached (refetched for an unknown `kid`)."""
    client = jwt.PyJWKClient(pool.jwks_url, cache_keys=True, timeout=5)

    def lookup(token: str) -> jwt.PyJWK:
        return client.get_signing_key_from_jwt(token)

    return lookup


def verify(token: str, pool: Pool, keys: KeyLookup) -> dict[str, Any]:
    """The token's claims if the authorizer would accept it; `TokenRefused` with the reason otherwise."""
    if not token:
        raise TokenRefused("no token in the Authorization header")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError as error:
        raise TokenRefused(f"not a JWT: {error}") from None
    if header.get("alg") != ALGORITHM:
        raise TokenRefused(f"signed with {header.get('alg')!r}, expected {ALGORITHM}")
    try:
        key = keys(token)
    except jwt.PyJWKClientError as error:
        raise TokenRefused(f"no key of the pool's JWKS signed it: {error}") from None
    claims = _decode(token, key, pool)
    if claims["token_use"] != TOKEN_USE:
        raise TokenRefused(f"token_use is {claims['token_use']!r}, expected {TOKEN_USE!r} (an ID token)")
    return claims


def _decode(token: str, key: jwt.PyJWK, pool: Pool) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=pool.client_id,
            issuer=pool.issuer,
            options={"require": list(REQUIRED_CLAIMS)},
        )
    except jwt.InvalidSignatureError:
        raise TokenRefused("signature does not verify against the pool's JWKS") from None
    except jwt.ExpiredSignatureError:
        raise TokenRefused("token has expired") from None
    except jwt.InvalidAudienceError:
        raise TokenRefused(f"audience is not the app client {pool.client_id}") from None
    except jwt.InvalidIssuerError:
        raise TokenRefused(f"issuer is not {pool.issuer}") from None
    except jwt.MissingRequiredClaimError as error:
        raise TokenRefused(f"no {error.claim!r} claim") from None
    except jwt.InvalidTokenError as error:
        raise TokenRefused(f"invalid token: {error}") from None
    return claims


def authorizer_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """The claims as API Gateway passes them to a function: every value a string."""
    return {name: value if isinstance(value, str) else str(value) for name, value in claims.items()}
