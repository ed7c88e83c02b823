from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest
from careervp.billing.signature import signature_header
from careervp.resources import (
    ENV_VAR_BILLING_TABLE,
    ENV_VAR_STRIPE_WEBHOOK_SECRET,
    ENV_VAR_STRIPE_WEBHOOK_SECRET_ARN,
)

SECRET = "test-webhook-secret-unit_test_secret"  # the one the backend_env fixture configures


def subscription_event(
    event_id: str = "evt_1", status: str = "active", created: int = 1_700_000_000, sub: str = "sub_1"
) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "type": "customer.subscription.updated",
        "created": created,
        "livemode": False,
        "data": {"object": {"object": "subscription", "id": sub, "customer": "cus_1", "status": status}},
    }


def post_event(
    call: Any, payload: bytes, *, secret: str = SECRET, timestamp: int | None = None, **kwargs: Any
) -> Any:
    header = signature_header(payload, secret, timestamp=int(time.time()) if timestamp is None else timestamp)
    return call(
        "POST",
        "/webhooks/stripe",
        body=payload,
        headers={"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": header},
        **kwargs,
    )


def billing_items(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName=env[ENV_VAR_BILLING_TABLE])["Items"]
    return {item["pk"]["S"]: item for item in items}


def subscription_status(env: dict[str, str], sub: str = "sub_1") -> str | None:
    item = billing_items(env).get(f"SUBSCRIPTION#{sub}")
    return item["status"]["S"] if item else None


def test_signed_subscription_event_records_the_subscription_state(
    call: Any, backend_env: dict[str, str]
) -> None:
    reply = post_event(call, json.dumps(subscription_event()).encode())

    assert reply.status == 200
    assert reply.body == {"event_id": "evt_1", "outcome": "applied"}
    assert subscription_status(backend_env) == "active"
    assert "EVENT#evt_1" in billing_items(backend_env)


def test_same_event_delivered_twice_changes_state_once(call: Any, backend_env: dict[str, str]) -> None:
    payload = json.dumps(subscription_event()).encode()
    post_event(call, payload)
    before = billing_items(backend_env)

    replay = post_event(call, payload)

    assert replay.status == 200
    assert replay.body["outcome"] == "duplicate"
    assert billing_items(backend_env) == before


def test_replayed_event_id_with_other_content_changes_nothing(call: Any, backend_env: dict[str, str]) -> None:
    post_event(call, json.dumps(subscription_event(status="active")).encode())

    replay = post_event(
        call, json.dumps(subscription_event(status="canceled", created=1_700_000_500)).encode()
    )

    assert replay.body["outcome"] == "duplicate"
    assert subscription_status(backend_env) == "active"


def test_older_event_arriving_late_does_not_overwrite_newer_state(
    call: Any, backend_env: dict[str, str]
) -> None:
    post_event(call, json.dumps(subscription_event("evt_new", "canceled", created=1_700_000_900)).encode())

    late = post_event(
        call, json.dumps(subscription_event("evt_old", "active", created=1_700_000_100)).encode()
    )

    assert late.body["outcome"] == "stale"
    assert subscription_status(backend_env) == "canceled"
    assert "EVENT#evt_old" in billing_items(backend_env)
    assert post_event(call, json.dumps(subscription_event("evt_old")).encode()).body["outcome"] == "duplicate"


def test_newer_event_updates_the_subscription(call: Any, backend_env: dict[str, str]) -> None:
    post_event(call, json.dumps(subscription_event("evt_a", "trialing", created=1_700_000_000)).encode())

    reply = post_event(
        call, json.dumps(subscription_event("evt_b", "active", created=1_700_000_060)).encode()
    )

    assert reply.body["outcome"] == "applied"
    assert subscription_status(backend_env) == "active"


def test_untracked_event_type_is_acknowledged_and_recorded_once(
    call: Any, backend_env: dict[str, str]
) -> None:
    event = {**subscription_event("evt_inv"), "type": "invoice.paid"}
    event["data"] = {"object": {"object": "invoice", "id": "in_1"}}
    payload = json.dumps(event).encode()

    first = post_event(call, payload)
    second = post_event(call, payload)

    assert first.body["outcome"] == "ignored"
    assert second.body["outcome"] == "duplicate"
    assert set(billing_items(backend_env)) == {"EVENT#evt_inv"}


@pytest.mark.parametrize(
    ("header_for", "message_part"),
    [
        pytest.param(lambda payload: None, "missing", id="no-header"),
        pytest.param(
            lambda payload: signature_header(
                payload, "test-webhook-secret-forged", timestamp=int(time.time())
            ),
            "matches",
            id="forged",
        ),
        pytest.param(
            lambda payload: signature_header(payload, SECRET, timestamp=int(time.time()) - 301),
            "tolerance",
            id="stale",
        ),
        pytest.param(
            lambda payload: signature_header(payload + b"x", SECRET, timestamp=int(time.time())),
            "matches",
            id="tampered",
        ),
        pytest.param(lambda payload: "garbage", "timestamp", id="garbage"),
    ],
)
def test_unverifiable_webhook_is_401_and_changes_nothing(
    call: Any, backend_env: dict[str, str], header_for: Any, message_part: str
) -> None:
    payload = json.dumps(subscription_event()).encode()
    header = header_for(payload)
    headers = {"Content-Type": "application/json"} | ({"Stripe-Signature": header} if header else {})

    reply = call("POST", "/webhooks/stripe", body=payload, headers=headers)

    assert reply.status == 401
    assert message_part in reply.body["message"]
    assert SECRET not in json.dumps(reply.body)
    assert billing_items(backend_env) == {}


def test_signature_header_name_is_matched_case_insensitively(call: Any, backend_env: dict[str, str]) -> None:
    payload = json.dumps(subscription_event()).encode()
    header = signature_header(payload, SECRET, timestamp=int(time.time()))

    reply = call(
        "POST",
        "/webhooks/stripe",
        body=payload,
        headers={"content-type": "Application/Json", "STRIPE-SIGNATURE": header},
    )

    assert reply.status == 200
    assert set(billing_items(backend_env)) == {"EVENT#evt_1", "SUBSCRIPTION#sub_1"}


@pytest.mark.parametrize(
    ("payload", "message_part"),
    [
        pytest.param(b'{"id": "evt_1", ', "not valid JSON", id="malformed-json"),
        pytest.param(b'{"type": "customer.subscription.updated"}', "body.id: Field required", id="no-id"),
        pytest.param(
            json.dumps(
                {**subscription_event(), "data": {"object": {"object": "subscription", "id": "sub_1"}}}
            ).encode(),
            "customer",
            id="subscription-without-customer",
        ),
        pytest.param(
            json.dumps({**subscription_event(), "id": "not-an-event"}).encode(), "body.id", id="bad-event-id"
        ),
    ],
)
def test_signed_but_malformed_event_is_400_and_changes_nothing(
    call: Any, backend_env: dict[str, str], payload: bytes, message_part: str
) -> None:
    reply = post_event(call, payload)

    assert reply.status == 400
    assert message_part in reply.body["message"]
    assert billing_items(backend_env) == {}


def test_oversized_webhook_is_413(call: Any, backend_env: dict[str, str]) -> None:
    event = subscription_event()
    event["padding"] = "x" * 70_000

    reply = post_event(call, json.dumps(event).encode())

    assert reply.status == 413
    assert billing_items(backend_env) == {}


def test_webhook_that_is_not_json_is_415(call: Any, backend_env: dict[str, str]) -> None:
    reply = call(
        "POST",
        "/webhooks/stripe",
        body="id=evt_1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert reply.status == 415
    assert billing_items(backend_env) == {}


def test_secret_is_read_from_secrets_manager_when_only_its_arn_is_configured(
    call: Any, backend_env: dict[str, str]
) -> None:
    arn = boto3.client("secretsmanager").create_secret(
        Name="careervp-unit-billing-stripe-webhook-secret", SecretString="test-webhook-secret-from_sm"
    )["ARN"]
    env = {name: value for name, value in backend_env.items() if name != ENV_VAR_STRIPE_WEBHOOK_SECRET}
    env[ENV_VAR_STRIPE_WEBHOOK_SECRET_ARN] = arn
    payload = json.dumps(subscription_event()).encode()

    accepted = post_event(call, payload, secret="test-webhook-secret-from_sm", env=env)
    refused = post_event(call, json.dumps(subscription_event("evt_2")).encode(), secret=SECRET, env=env)

    assert accepted.status == 200
    assert refused.status == 401


def test_webhook_without_any_configured_secret_fails_closed_without_recording(
    call: Any, backend_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR_STRIPE_WEBHOOK_SECRET, raising=False)
    monkeypatch.delenv(ENV_VAR_STRIPE_WEBHOOK_SECRET_ARN, raising=False)
    env = {name: value for name, value in backend_env.items() if name != ENV_VAR_STRIPE_WEBHOOK_SECRET}

    reply = post_event(call, json.dumps(subscription_event()).encode(), env=env)

    assert reply.status == 500
    assert "misconfigured" in reply.body["message"]
    assert billing_items(backend_env) == {}


def test_secret_value_never_appears_in_logs(call: Any, capsys: pytest.CaptureFixture[str]) -> None:
    post_event(call, json.dumps(subscription_event()).encode())
    post_event(call, json.dumps(subscription_event("evt_2")).encode(), secret="test-webhook-secret-forged")

    output = capsys.readouterr()
    assert SECRET not in output.out + output.err
    assert "test-webhook-secret-forged" not in output.out + output.err
