"""`POST /cover-letters` through the API's routing with moto and the Messages-API stand-in in memory: the
letter stored under its checked key, every refusal specific and storing nothing."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from careervp.letters.models import MAX_WORDS, MIN_WORDS
from careervp.letters.prompt import TONES
from careervp.resources import ENV_VAR_LETTERS_BUCKET
from careervp_local.messages_standin import REPLY_HEADING, MessagesStandIn

CV = "Jane Doe\nSenior engineer. Python and AWS for 6 years. Led a team of 4."
REQUEST = {
    "cv": CV,
    "job_description": "Build our platform in Python on AWS.",
    "company_name": "Acme Robotics",
    "role": "Platform engineer",
}


def stored(backend_env: dict[str, str]) -> list[str]:
    listed = boto3.client("s3").list_objects_v2(Bucket=backend_env[ENV_VAR_LETTERS_BUCKET])
    return [item["Key"] for item in listed.get("Contents", [])]


def test_a_cover_letter_is_written_by_the_model_and_stored_under_its_key(
    call: Any, backend_env: dict[str, str], model: MessagesStandIn
) -> None:
    reply = call("POST", "/cover-letters", json_body={**REQUEST, "tone": "concise", "hiring_manager": "Sam"})

    assert reply.status == 201, reply.body
    body = reply.body
    assert body["document_key"] == f"letters/cover-letters/{body['letter_id']}.md"
    assert body["content"].startswith(REPLY_HEADING)
    [sent] = model.requests
    user = sent.body["messages"][0]["content"]
    assert "<company>\nAcme Robotics\n</company>" in user and "<salutation>\nDear Sam,\n</salutation>" in user
    assert f"<tone>\n{TONES['concise']}\n</tone>" in user
    assert stored(backend_env) == [body["document_key"]]
    document = boto3.client("s3").get_object(
        Bucket=backend_env[ENV_VAR_LETTERS_BUCKET], Key=body["document_key"]
    )
    assert document["Body"].read().decode() == body["content"]


@pytest.mark.parametrize(
    ("changes", "message_part"),
    [
        ({"company_name": ""}, "body.company_name: String should have at least 1 character"),
        ({"role": None}, "body.role: Input should be a valid string"),
        ({"tone": "sarcastic"}, "body.tone: Input should be 'formal', 'warm' or 'concise'"),
        (
            {"max_words": MIN_WORDS - 1},
            f"body.max_words: Input should be greater than or equal to {MIN_WORDS}",
        ),
        ({"max_words": MAX_WORDS + 1}, f"body.max_words: Input should be less than or equal to {MAX_WORDS}"),
        ({"salary": 1}, "body.salary: Extra inputs are not permitted"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_calls_no_model(
    call: Any, backend_env: dict[str, str], model: MessagesStandIn, changes: dict[str, Any], message_part: str
) -> None:
    reply = call("POST", "/cover-letters", json_body={**REQUEST, **changes})
    assert reply.status == 400
    assert message_part in reply.body["message"]
    assert model.requests == [] and stored(backend_env) == []


def test_a_model_refusal_is_502_naming_it_and_nothing_is_stored(
    call: Any, backend_env: dict[str, str], model: MessagesStandIn
) -> None:
    model.fail_next(400, error_type="invalid_request_error")
    reply = call("POST", "/cover-letters", json_body=REQUEST)
    assert reply.status == 502
    assert reply.body["message"] == "the model API refused the request: HTTP 400 invalid_request_error"
    assert stored(backend_env) == []


def test_a_body_that_is_not_json_is_415_before_anything_else(call: Any, model: MessagesStandIn) -> None:
    reply = call("POST", "/cover-letters", body="cv=x", headers={"Content-Type": "text/plain"})
    assert reply.status == 415
    assert model.requests == []
