"""CV tailoring over real HTTP: the API against a moto server, the real SDK against the Messages-API
stand-in on 127.0.0.1 at $ANTHROPIC_BASE_URL (never the real model)."""

from __future__ import annotations

from typing import Any

import boto3
from careervp.resources import ENV_VAR_TAILORING_BUCKET
from careervp_local.messages_standin import REPLY_HEADING, ServedStandIn

REQUEST = {
    "cv": "Jane Doe\nBackend engineer: Python, PostgreSQL and AWS. Mentored two juniors.",
    "job_description": "Python and Go services on Kubernetes; you will mentor engineers.",
}


def test_a_tailored_cv_comes_from_the_standin_and_is_stored_over_http(
    http: Any, backend_env: dict[str, str], messages_standin: ServedStandIn
) -> None:
    before = len(messages_standin.standin.requests)

    reply = http("POST", "/cv-tailoring", json_body=REQUEST)

    assert reply.status == 201, reply.body
    [sent] = messages_standin.standin.requests[before:]
    assert sent.path == "/v1/messages" and sent.headers["authorization"] == "<redacted>"
    assert (
        "<not_shown_skills>\n- Kubernetes\n- Leadership\n</not_shown_skills>"
        in sent.body["messages"][0]["content"]
    )
    assert reply.body["content"].startswith(REPLY_HEADING)
    stored = boto3.client("s3").get_object(
        Bucket=backend_env[ENV_VAR_TAILORING_BUCKET], Key=reply.body["document_key"]
    )
    assert stored["Body"].read().decode() == reply.body["content"]


def test_an_overloaded_model_is_retried_over_http_then_answers(
    http: Any, messages_standin: ServedStandIn
) -> None:
    before = len(messages_standin.standin.requests)
    messages_standin.standin.fail_next(529, times=1, retry_after_ms=20)

    reply = http("POST", "/cv-tailoring", json_body=REQUEST)

    assert reply.status == 201, reply.body
    assert len(messages_standin.standin.requests) - before == 2


def test_a_malformed_body_is_400_and_reaches_no_model(http: Any, messages_standin: ServedStandIn) -> None:
    before = len(messages_standin.standin.requests)
    reply = http("POST", "/cv-tailoring", data=b'{"cv": "x"', headers={"Content-Type": "application/json"})
    assert reply.status == 400 and "not valid JSON" in reply.body["message"]
    assert len(messages_standin.standin.requests) == before
