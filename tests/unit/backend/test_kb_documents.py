from __future__ import annotations

from typing import Any

import boto3
import pytest
from careervp.kb.models import MAX_DOCUMENT_BYTES
from careervp.resources import ENV_VAR_KB_BUCKET, ENV_VAR_KB_TABLE

UPLOAD = {"title": "My CV", "media_type": "text/markdown", "content": "# Jane Doe\nPython, AWS."}
UNKNOWN_ID = "0" * 32


def stored_state(env: dict[str, str]) -> tuple[int, int]:
    """(metadata items, body objects) currently in the knowledge base."""
    items = boto3.client("dynamodb").scan(TableName=env[ENV_VAR_KB_TABLE])["Count"]
    objects = boto3.client("s3").list_objects_v2(Bucket=env[ENV_VAR_KB_BUCKET]).get("KeyCount", 0)
    return items, objects


def test_created_document_reads_back_with_its_content_and_metadata(call: Any) -> None:
    created = call("POST", "/kb/documents", json_body=UPLOAD)

    assert created.status == 201
    document_id = created.body["document_id"]
    assert created.headers["location"] == [f"/kb/documents/{document_id}"]
    assert created.body["size_bytes"] == len(UPLOAD["content"].encode())
    read = call("GET", f"/kb/documents/{document_id}")
    assert read.status == 200
    assert read.body["content"] == UPLOAD["content"]
    assert read.body["title"] == "My CV"
    assert read.body["media_type"] == "text/markdown"


def test_document_body_is_in_s3_and_metadata_in_dynamodb(call: Any, backend_env: dict[str, str]) -> None:
    document_id = call("POST", "/kb/documents", json_body=UPLOAD).body["document_id"]

    body = boto3.client("s3").get_object(
        Bucket=backend_env[ENV_VAR_KB_BUCKET], Key=f"documents/{document_id}"
    )
    item = boto3.client("dynamodb").get_item(
        TableName=backend_env[ENV_VAR_KB_TABLE], Key={"document_id": {"S": document_id}}
    )["Item"]
    assert body["Body"].read().decode() == UPLOAD["content"]
    assert body["ContentType"].startswith("text/markdown")
    assert item["title"] == {"S": "My CV"}
    assert "content" not in item


def test_listing_pages_through_every_document(call: Any) -> None:
    created = {
        call("POST", "/kb/documents", json_body={**UPLOAD, "title": f"doc {n}"}).body["document_id"]
        for n in range(3)
    }

    seen: list[str] = []
    token = None
    while True:
        target = "/kb/documents?limit=2" + (f"&next_token={token}" if token else "")
        page = call("GET", target)
        assert page.status == 200
        seen += [document["document_id"] for document in page.body["documents"]]
        assert all("content" not in document for document in page.body["documents"])
        token = page.body.get("next_token")
        if not token:
            break
    assert sorted(seen) == sorted(created)


def test_delete_removes_body_and_metadata_then_the_id_is_unknown(
    call: Any, backend_env: dict[str, str]
) -> None:
    document_id = call("POST", "/kb/documents", json_body=UPLOAD).body["document_id"]

    deleted = call("DELETE", f"/kb/documents/{document_id}")

    assert deleted.status == 204
    assert stored_state(backend_env) == (0, 0)
    assert call("GET", f"/kb/documents/{document_id}").status == 404
    assert call("DELETE", f"/kb/documents/{document_id}").status == 404


def test_delete_leaves_other_documents_untouched(call: Any, backend_env: dict[str, str]) -> None:
    keep = call("POST", "/kb/documents", json_body=UPLOAD).body["document_id"]
    drop = call("POST", "/kb/documents", json_body=UPLOAD).body["document_id"]

    assert call("DELETE", f"/kb/documents/{drop}").status == 204

    assert stored_state(backend_env) == (1, 1)
    assert call("GET", f"/kb/documents/{keep}").body["content"] == UPLOAD["content"]


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_unknown_document_id_is_404_naming_the_id(call: Any, method: str) -> None:
    reply = call(method, f"/kb/documents/{UNKNOWN_ID}")

    assert reply.status == 404
    assert UNKNOWN_ID in reply.body["message"]


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_malformed_document_id_is_400(call: Any, method: str) -> None:
    reply = call(method, "/kb/documents/not-a-document-id")

    assert reply.status == 400
    assert "document_id" in reply.body["message"]


@pytest.mark.parametrize(
    ("body", "expected_status", "message_part"),
    [
        pytest.param('{"title": "x", ', 400, "not valid JSON", id="malformed-json"),
        pytest.param('["not", "an", "object"]', 400, "body", id="json-array"),
        pytest.param("", 400, "body", id="empty-body"),
        pytest.param(
            '{"media_type": "text/plain", "content": "x"}', 400, "body.title: Field required", id="no-title"
        ),
        pytest.param('{"title": "x", "media_type": "text/plain"}', 400, "body.content", id="no-content"),
        pytest.param(
            '{"title": "x", "media_type": "text/plain", "content": ""}',
            400,
            "body.content",
            id="empty-content",
        ),
        pytest.param(
            '{"title": "  ", "media_type": "text/plain", "content": "x"}', 400, "body.title", id="blank-title"
        ),
        pytest.param(
            '{"title": "x", "media_type": "text/plain", "content": "x", "owner": "me"}',
            400,
            "body.owner",
            id="unknown-field",
        ),
        pytest.param(
            '{"title": "x", "media_type": "application/pdf", "content": "x"}',
            415,
            "application/pdf",
            id="pdf",
        ),
    ],
)
def test_bad_upload_gets_specific_4xx_and_stores_nothing(
    call: Any, backend_env: dict[str, str], body: str, expected_status: int, message_part: str
) -> None:
    reply = call("POST", "/kb/documents", body=body, headers={"Content-Type": "application/json"})

    assert reply.status == expected_status
    assert message_part in reply.body["message"]
    assert stored_state(backend_env) == (0, 0)


def test_document_over_the_size_limit_is_413_and_stores_nothing(
    call: Any, backend_env: dict[str, str]
) -> None:
    reply = call("POST", "/kb/documents", json_body={**UPLOAD, "content": "x" * (MAX_DOCUMENT_BYTES + 1)})

    assert reply.status == 413
    assert str(MAX_DOCUMENT_BYTES) in reply.body["message"]
    assert stored_state(backend_env) == (0, 0)


def test_document_at_the_size_limit_is_accepted(call: Any) -> None:
    reply = call("POST", "/kb/documents", json_body={**UPLOAD, "content": "x" * MAX_DOCUMENT_BYTES})

    assert reply.status == 201


def test_request_body_over_the_envelope_limit_is_413_before_parsing(
    call: Any, backend_env: dict[str, str]
) -> None:
    reply = call(
        "POST",
        "/kb/documents",
        body="{" * (3 * MAX_DOCUMENT_BYTES),
        headers={"Content-Type": "application/json"},
    )

    assert reply.status == 413
    assert stored_state(backend_env) == (0, 0)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_upload_that_is_not_json_is_415_and_stores_nothing(
    call: Any, backend_env: dict[str, str], content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}

    reply = call("POST", "/kb/documents", body="title=x&content=y", headers=headers)

    assert reply.status == 415
    assert "application/json" in reply.body["message"]
    assert stored_state(backend_env) == (0, 0)


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=ten", "next_token=../etc"])
def test_bad_listing_parameters_are_400(call: Any, query: str) -> None:
    reply = call("GET", f"/kb/documents?{query}")

    assert reply.status == 400
    assert "query" in reply.body["message"]
