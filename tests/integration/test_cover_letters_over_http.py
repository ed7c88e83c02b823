"""Cover letters over real HTTP: the API against a moto server, the real SDK against the Messages-API
stand-in on 127.0.0.1 at $ANTHROPIC_BASE_URL (never the real model)."""

from __future__ import annotations

from typing import Any

import boto3
from careervp.resources import ENV_VAR_LETTERS_BUCKET
from careervp_local.messages_standin import REPLY_HEADING, ServedStandIn

REQUEST = {
    "cv": "Jane Doe\nBackend engineer: Python, PostgreSQL and AWS.",
    "job_description": "Python services on AWS.",
    "company_name": "Fixture Robotics",
    "role": "Backend engineer",
    "tone": "warm",
    "max_words": 180,
}


def test_a_cover_letter_comes_from_the_standin_and_is_stored_over_http(
    http: Any, backend_env: dict[str, str], messages_standin: ServedStandIn
) -> None:
    before = len(messages_standin.standin.requests)

    reply = http("POST", "/cover-letters", json_body=REQUEST)

    assert reply.status == 201, reply.body
    [sent] = messages_standin.standin.requests[before:]
    assert "<company>\nFixture Robotics\n</company>" in sent.body["messages"][0]["content"]
    assert "<max_words>\n180\n</max_words>" in sent.body["messages"][0]["content"]
    assert reply.body["content"].startswith(REPLY_HEADING)
    assert reply.body["document_key"] == f"letters/cover-letters/{reply.body['letter_id']}.md"
    stored = boto3.client("s3").get_object(
        Bucket=backend_env[ENV_VAR_LETTERS_BUCKET], Key=reply.body["document_key"]
    )
    assert stored["Body"].read().decode() == reply.body["content"]


def test_a_letter_over_the_length_limit_is_400_naming_the_field(
    http: Any, messages_standin: ServedStandIn
) -> None:
    before = len(messages_standin.standin.requests)
    reply = http("POST", "/cover-letters", json_body={**REQUEST, "max_words": 5000})
    assert reply.status == 400 and "body.max_words" in reply.body["message"]
    assert len(messages_standin.standin.requests) == before
