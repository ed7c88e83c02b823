"""`POST /cv-tailoring` through the API's routing with moto and the Messages-API stand-in in memory: the
tailored CV stored under its checked key, every refusal specific and storing nothing, the model's cost
emitted as metrics, the key read from Secrets Manager when only its ARN is configured."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from careervp.generation.client import MODEL
from careervp.resources import (
    ENV_VAR_ANTHROPIC_API_KEY,
    ENV_VAR_ANTHROPIC_API_KEY_ARN,
    ENV_VAR_TAILORING_BUCKET,
)
from careervp.tailoring.models import MAX_CV_CHARS
from careervp_local.messages_standin import REPLY_HEADING, MessagesStandIn

CV = "Jane Doe\nSenior engineer. Python and AWS for 6 years. Led a team of 4."
JOB = "We want Python, Kubernetes and leadership of a small team."
REQUEST = {"cv": CV, "job_description": JOB, "target_role": "Platform engineer"}


def stored(backend_env: dict[str, str]) -> list[str]:
    listed = boto3.client("s3").list_objects_v2(Bucket=backend_env[ENV_VAR_TAILORING_BUCKET])
    return [item["Key"] for item in listed.get("Contents", [])]


def test_a_tailored_cv_is_written_by_the_model_and_stored_under_its_key(
    call: Any, backend_env: dict[str, str], model: MessagesStandIn
) -> None:
    reply = call("POST", "/cv-tailoring", json_body=REQUEST)

    assert reply.status == 201, reply.body
    body = reply.body
    assert body["document_key"] == f"tailoring/cvs/{body['tailoring_id']}.md"
    assert body["content"].startswith(REPLY_HEADING)
    assert (body["matched_skills"], body["missing_skills"]) == (["Python", "Leadership"], ["Kubernetes"])
    assert body["usage"]["model"] == MODEL and body["usage"]["truncated"] is False
    assert body["usage"]["estimated_cost_usd"] > 0
    [sent] = model.requests
    assert f"<cv>\n{CV}\n</cv>" in sent.body["messages"][0]["content"]
    assert "<not_shown_skills>\n- Kubernetes\n</not_shown_skills>" in sent.body["messages"][0]["content"]
    document = boto3.client("s3").get_object(
        Bucket=backend_env[ENV_VAR_TAILORING_BUCKET], Key=body["document_key"]
    )
    assert document["ContentType"] == "text/markdown; charset=utf-8"
    assert document["Body"].read().decode() == body["content"]


def test_the_model_call_emits_its_tokens_and_cost_with_the_request_cost(
    call: Any, model: MessagesStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    reply = call("POST", "/cv-tailoring", json_body=REQUEST)

    [record] = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert record["function"] == "tailoring"
    usage = reply.body["usage"]
    assert record["ModelInputTokens"] == [usage["input_tokens"]]
    assert record["ModelOutputTokens"] == [usage["output_tokens"]]
    assert record["ModelCostMicroUsd"] == [pytest.approx(usage["estimated_cost_usd"] * 1_000_000)]
    assert "EstimatedCostPerRequestMicroUsd" in record


@pytest.mark.parametrize(
    ("body", "message_part"),
    [
        ({"job_description": JOB}, "body.cv: Field required"),
        ({"cv": " ", "job_description": JOB}, "body.cv: String should match pattern"),
        ({"cv": "x" * (MAX_CV_CHARS + 1), "job_description": JOB}, "body.cv: String should have at most"),
        ({"cv": CV, "job_description": JOB, "target_role": "r" * 121}, "body.target_role"),
        ({**REQUEST, "tone": "bold"}, "body.tone: Extra inputs are not permitted"),
        ({"cv": 7, "job_description": JOB}, "body.cv: Input should be a valid string"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_calls_no_model(
    call: Any, backend_env: dict[str, str], model: MessagesStandIn, body: dict[str, Any], message_part: str
) -> None:
    reply = call("POST", "/cv-tailoring", json_body=body)
    assert reply.status == 400
    assert message_part in reply.body["message"]
    assert model.requests == [] and stored(backend_env) == []


def test_a_cv_that_could_cost_too_much_is_413_before_any_model_call(
    call: Any, backend_env: dict[str, str], model: MessagesStandIn
) -> None:
    costly = {"cv": "履" * MAX_CV_CHARS, "job_description": "職" * 8_000}  # 3 UTF-8 bytes a character

    reply = call("POST", "/cv-tailoring", json_body=costly)

    assert reply.status == 413
    assert "over the $0.10 a request may cost; shorten the CV or the job description" in reply.body["message"]
    assert model.requests == [] and stored(backend_env) == []


def test_a_model_that_stays_overloaded_is_502_and_nothing_is_stored(
    call: Any, backend_env: dict[str, str], model: MessagesStandIn
) -> None:
    model.fail_next(529, times=3)

    reply = call("POST", "/cv-tailoring", json_body=REQUEST)

    assert reply.status == 502
    assert reply.body["message"] == (
        "the model API did not answer after 3 attempt(s); last: HTTP 529 overloaded_error"
    )
    assert len(model.requests) == 3 and stored(backend_env) == []


def test_a_key_the_model_api_refuses_is_500_misconfigured_without_leaking_the_reason(
    call: Any, backend_env: dict[str, str], model: MessagesStandIn
) -> None:
    reply = call(
        "POST", "/cv-tailoring", json_body=REQUEST, env={**backend_env, ENV_VAR_ANTHROPIC_API_KEY: "bad"}
    )
    assert reply.status == 500
    assert reply.body["message"] == "the service is misconfigured; see its logs"
    assert stored(backend_env) == []


def test_the_key_is_read_from_secrets_manager_when_only_its_arn_is_configured(
    call: Any, backend_env: dict[str, str], model: MessagesStandIn
) -> None:
    assert model.api_key is not None
    arn = boto3.client("secretsmanager").create_secret(
        Name="careervp-unit-generation-anthropic-api-key", SecretString=model.api_key
    )["ARN"]
    env = {name: value for name, value in backend_env.items() if name != ENV_VAR_ANTHROPIC_API_KEY}

    reply = call("POST", "/cv-tailoring", json_body=REQUEST, env={**env, ENV_VAR_ANTHROPIC_API_KEY_ARN: arn})

    assert reply.status == 201, reply.body
    assert len(model.requests) == 1


def test_a_key_rotated_since_it_was_cached_is_read_again_once(
    call: Any, backend_env: dict[str, str], model: MessagesStandIn
) -> None:
    secrets = boto3.client("secretsmanager")
    arn = secrets.create_secret(Name="careervp-unit-generation-rotated-key", SecretString="sk-ant-old")["ARN"]
    env = {name: value for name, value in backend_env.items() if name != ENV_VAR_ANTHROPIC_API_KEY}
    env[ENV_VAR_ANTHROPIC_API_KEY_ARN] = arn
    model.api_key = "sk-ant-old"
    assert call("POST", "/cv-tailoring", json_body=REQUEST, env=env).status == 201  # caches the old key
    secrets.put_secret_value(SecretId=arn, SecretString="sk-ant-new")  # a deploy stores a new one
    model.api_key = "sk-ant-new"

    reply = call("POST", "/cv-tailoring", json_body=REQUEST, env=env)

    assert reply.status == 201, reply.body
    assert len(model.requests) == 3  # the first call, the refused cached key, the key read again
