from __future__ import annotations

import json
import time
from typing import Any

import boto3
from careervp.billing.signature import signature_header
from careervp.resources import ENV_VAR_BILLING_TABLE, ENV_VAR_KB_BUCKET

WEBHOOK_SECRET = "test-webhook-secret-integration_secret"  # the one the backend_env fixture configures


def test_health_over_http_reports_version_and_every_dependency_ok(http: Any) -> None:
    reply = http("GET", "/health")

    assert reply.status == 200
    assert reply.body["version"] == "9.9.9"
    assert {check["status"] for check in reply.body["checks"]} == {"ok"}


def test_kb_document_lifecycle_over_http(http: Any, backend_env: dict[str, str]) -> None:
    created = http(
        "POST", "/kb/documents", json_body={"title": "CV", "media_type": "text/plain", "content": "Python"}
    )
    assert created.status == 201
    document_id = created.body["document_id"]

    listed = http("GET", "/kb/documents")
    read = http("GET", f"/kb/documents/{document_id}")
    deleted = http("DELETE", f"/kb/documents/{document_id}")

    assert [document["document_id"] for document in listed.body["documents"]] == [document_id]
    assert read.body["content"] == "Python"
    assert deleted.status == 204
    assert http("GET", f"/kb/documents/{document_id}").status == 404
    objects = boto3.client("s3").list_objects_v2(Bucket=backend_env[ENV_VAR_KB_BUCKET])
    assert objects.get("KeyCount", 0) == 0


def test_stripe_webhook_over_http_records_the_subscription_once(
    http: Any, backend_env: dict[str, str]
) -> None:
    payload = json.dumps(
        {
            "id": "evt_it_1",
            "type": "customer.subscription.created",
            "created": 1_700_000_000,
            "data": {
                "object": {"object": "subscription", "id": "sub_it", "customer": "cus_it", "status": "active"}
            },
        }
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "Stripe-Signature": signature_header(payload, WEBHOOK_SECRET, timestamp=int(time.time())),
    }

    first = http("POST", "/webhooks/stripe", data=payload, headers=headers)
    second = http("POST", "/webhooks/stripe", data=payload, headers=headers)
    forged = http(
        "POST",
        "/webhooks/stripe",
        data=payload,
        headers={
            **headers,
            "Stripe-Signature": signature_header(
                payload, "test-webhook-secret-forged", timestamp=int(time.time())
            ),
        },
    )

    assert (first.body["outcome"], second.body["outcome"], forged.status) == ("applied", "duplicate", 401)
    items = boto3.client("dynamodb").scan(TableName=backend_env[ENV_VAR_BILLING_TABLE])["Items"]
    assert sorted(item["pk"]["S"] for item in items) == ["EVENT#evt_it_1", "SUBSCRIPTION#sub_it"]


def test_local_server_answers_unknown_routes_and_methods_like_a_gateway(http: Any) -> None:
    unknown = http("GET", "/nope")
    wrong_method = http("PUT", "/kb/documents", json_body={})

    assert unknown.status == 404
    assert wrong_method.status == 405
    assert wrong_method.headers["Allow"] == "GET, HEAD, OPTIONS, POST"


def test_non_json_and_oversized_bodies_are_refused_over_http(http: Any) -> None:
    not_json = http("POST", "/kb/documents", data=b"title=x", headers={"Content-Type": "text/plain"})
    oversized = http(
        "POST",
        "/webhooks/stripe",
        data=b"{" + b" " * 70_000 + b"}",
        headers={"Content-Type": "application/json"},
    )

    assert not_json.status == 415
    assert oversized.status == 413
