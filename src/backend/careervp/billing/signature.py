"""Verifies Stripe's `Stripe-Signature` header, the way Stripe's own libraries do.

The header is `t=<unix seconds>,v1=<hex hmac>[,v1=...]`; the signed text is `"<t>.<raw body>"`, signed
with HMAC-SHA256 under the endpoint's signing secret. A signature is accepted only when one `v1` matches
(compared in constant time) and `t` is within the tolerance of now, which bounds how long a captured request
can be replayed.
"""

from __future__ import annotations

import hashlib
import hmac

DEFAULT_TOLERANCE_SECONDS = 300
SIGNATURE_SCHEME = "v1"


class SignatureError(ValueError):
    """The request is not provably from Stripe; the message says why without revealing any secret."""


def compute_signature(payload: bytes, timestamp: int, secret: str) -> str:
    signed = f"{timestamp}.".encode() + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise SignatureError("Stripe-Signature has a non-numeric timestamp") from None
        elif key == SIGNATURE_SCHEME:
            signatures.append(value)
    if timestamp is None:
        raise SignatureError("Stripe-Signature has no timestamp (t=...)")
    if not signatures:
        raise SignatureError(f"Stripe-Signature has no {SIGNATURE_SCHEME} signature")
    return timestamp, signatures


def verify_signature(
    payload: bytes,
    header: str | None,
    secret: str,
    *,
    now: float,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> int:
    """Return the signed timestamp, or raise `SignatureError` when the header does not prove the payload."""
    if not header:
        raise SignatureError("the Stripe-Signature header is missing")
    timestamp, signatures = _parse(header)
    expected = compute_signature(payload, timestamp, secret)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureError("no signature in Stripe-Signature matches the payload")
    age = now - timestamp
    if abs(age) > tolerance_seconds:
        raise SignatureError(
            f"Stripe-Signature timestamp is {int(age)} s from now; the tolerance is {tolerance_seconds} s"
        )
    return timestamp


def signature_header(payload: bytes, secret: str, *, timestamp: int) -> str:
    """The header Stripe would send for `payload` at `timestamp` (for local tools and tests)."""
    return f"t={timestamp},{SIGNATURE_SCHEME}={compute_signature(payload, timestamp, secret)}"
