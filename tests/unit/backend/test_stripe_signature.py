from __future__ import annotations

import pytest
from careervp.billing.signature import SignatureError, compute_signature, signature_header, verify_signature

SECRET = "test-webhook-secret-test"
PAYLOAD = b'{"id": "evt_1"}'
NOW = 1_800_000_000


def test_valid_signature_returns_its_timestamp() -> None:
    header = signature_header(PAYLOAD, SECRET, timestamp=NOW - 10)

    assert verify_signature(PAYLOAD, header, SECRET, now=NOW) == NOW - 10


def test_any_matching_v1_among_several_is_accepted_during_secret_rotation() -> None:
    header = f"t={NOW},v1={'0' * 64},v1={compute_signature(PAYLOAD, NOW, SECRET)},v0=ignored"

    assert verify_signature(PAYLOAD, header, SECRET, now=NOW) == NOW


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        (f"v1={'0' * 64}", "no timestamp"),
        (f"t=soon,v1={'0' * 64}", "non-numeric timestamp"),
        (f"t={NOW}", "no v1 signature"),
        (f"t={NOW},v1={'0' * 64}", "matches"),
    ],
)
def test_malformed_or_forged_header_is_refused_with_the_reason(header: str | None, reason: str) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify_signature(PAYLOAD, header, SECRET, now=NOW)


def test_signature_over_a_different_payload_is_refused() -> None:
    header = signature_header(PAYLOAD, SECRET, timestamp=NOW)

    with pytest.raises(SignatureError, match="matches"):
        verify_signature(PAYLOAD + b" ", header, SECRET, now=NOW)


def test_signature_made_with_another_secret_is_refused() -> None:
    header = signature_header(PAYLOAD, "test-webhook-secret-attacker", timestamp=NOW)

    with pytest.raises(SignatureError, match="matches"):
        verify_signature(PAYLOAD, header, SECRET, now=NOW)


def test_timestamp_cannot_be_moved_without_breaking_the_signature() -> None:
    signature = compute_signature(PAYLOAD, NOW - 1000, SECRET)

    with pytest.raises(SignatureError, match="matches"):
        verify_signature(PAYLOAD, f"t={NOW},v1={signature}", SECRET, now=NOW)


@pytest.mark.parametrize("offset", [301, -301, 86_400])
def test_timestamp_outside_the_tolerance_is_refused_as_stale(offset: int) -> None:
    header = signature_header(PAYLOAD, SECRET, timestamp=NOW - offset)

    with pytest.raises(SignatureError, match="tolerance is 300 s"):
        verify_signature(PAYLOAD, header, SECRET, now=NOW)


@pytest.mark.parametrize("offset", [300, -300, 0])
def test_timestamp_at_the_edge_of_the_tolerance_is_accepted(offset: int) -> None:
    header = signature_header(PAYLOAD, SECRET, timestamp=NOW - offset)

    assert verify_signature(PAYLOAD, header, SECRET, now=NOW) == NOW - offset
