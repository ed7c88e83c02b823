from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from careervp.resources import ENV_VAR_GAP_TABLE

QUESTIONS = {"cv": "Python developer on AWS.", "job_description": "Python, Kubernetes and Terraform."}
ANSWERS = {
    "analysis_id": "ga-" + "a" * 24,
    "answers": [{"question_id": "gap-kubernetes", "answer": "Ran EKS clusters for two years."}],
}


def stored_responses(env: dict[str, str]) -> int:
    return boto3.client("dynamodb").scan(TableName=env[ENV_VAR_GAP_TABLE])["Count"]


def test_questions_endpoint_returns_the_deterministic_gap_questions(call: Any) -> None:
    first = call("POST", "/gap-analysis/questions", json_body=QUESTIONS)
    second = call("POST", "/gap-analysis/questions", json_body=QUESTIONS)

    assert first.status == 200
    assert first.body == second.body
    assert [question["skill"] for question in first.body["questions"]] == ["Kubernetes", "Terraform"]
    assert first.body["matched_skills"] == ["Python"]
    assert first.body["analysis_id"].startswith("ga-")


def test_stored_responses_read_back_unchanged(call: Any) -> None:
    created = call("POST", "/gap-analysis/responses", json_body=ANSWERS)

    assert created.status == 201
    response_id = created.body["response_id"]
    assert created.headers["location"] == [f"/gap-analysis/responses/{response_id}"]
    read = call("GET", f"/gap-analysis/responses/{response_id}")
    assert read.status == 200
    assert read.body["analysis_id"] == ANSWERS["analysis_id"]
    assert read.body["answers"] == ANSWERS["answers"]


def test_unknown_response_id_is_404_naming_it(call: Any) -> None:
    reply = call("GET", "/gap-analysis/responses/" + "f" * 32)

    assert reply.status == 404
    assert "f" * 32 in reply.body["message"]


def test_malformed_response_id_is_400(call: Any) -> None:
    assert call("GET", "/gap-analysis/responses/nope").status == 400


@pytest.mark.parametrize(
    ("body", "message_part"),
    [
        pytest.param('{"cv": "x"', "not valid JSON", id="malformed-json"),
        pytest.param('{"cv": "Python"}', "body.job_description: Field required", id="no-job-description"),
        pytest.param('{"job_description": "Python"}', "body.cv: Field required", id="no-cv"),
        pytest.param('{"cv": "   ", "job_description": "Python"}', "body.cv", id="blank-cv"),
        pytest.param('{"cv": 3, "job_description": "Python"}', "body.cv", id="cv-not-text"),
    ],
)
def test_bad_questions_request_is_400_naming_the_problem(call: Any, body: str, message_part: str) -> None:
    reply = call("POST", "/gap-analysis/questions", body=body, headers={"Content-Type": "application/json"})

    assert reply.status == 400
    assert message_part in reply.body["message"]


@pytest.mark.parametrize(
    ("body", "message_part"),
    [
        pytest.param('{"analysis_id": ', "not valid JSON", id="malformed-json"),
        pytest.param('{"answers": []}', "body.analysis_id: Field required", id="no-analysis-id"),
        pytest.param(
            '{"analysis_id": "ga-' + "a" * 24 + '", "answers": []}', "body.answers", id="no-answers"
        ),
        pytest.param(
            '{"analysis_id": "ga-' + "a" * 24 + '", "answers": [{"question_id": "gap-go"}]}',
            "body.answers.0.answer: Field required",
            id="answer-missing",
        ),
        pytest.param(
            '{"analysis_id": "bogus", "answers": [{"question_id": "gap-go", "answer": "x"}]}',
            "body.analysis_id",
            id="bad-analysis-id",
        ),
        pytest.param(
            json.dumps({**ANSWERS, "answers": [{"question_id": "gap-go", "answer": "\f"}]}),
            "body.answers.0.answer: String should match pattern",
            id="blank-answer",
        ),
    ],
)
def test_bad_responses_request_is_400_and_stores_nothing(
    call: Any, backend_env: dict[str, str], body: str, message_part: str
) -> None:
    reply = call("POST", "/gap-analysis/responses", body=body, headers={"Content-Type": "application/json"})

    assert reply.status == 400
    assert message_part in reply.body["message"]
    assert stored_responses(backend_env) == 0


def test_a_question_answered_twice_is_422_and_stores_nothing(call: Any, backend_env: dict[str, str]) -> None:
    answers = {**ANSWERS, "answers": [{"question_id": "gap-go", "answer": a} for a in "ab"]}

    reply = call("POST", "/gap-analysis/responses", json_body=answers)

    assert reply.status == 422
    assert "'gap-go' is answered more than once" in reply.body["message"]
    assert stored_responses(backend_env) == 0


def test_oversized_gap_request_is_413_and_stores_nothing(call: Any, backend_env: dict[str, str]) -> None:
    answers = {**ANSWERS, "answers": [{"question_id": "gap-go", "answer": "x" * 300_000}]}

    reply = call("POST", "/gap-analysis/responses", json_body=answers)

    assert reply.status == 413
    assert stored_responses(backend_env) == 0


def test_gap_request_that_is_not_json_is_415(call: Any, backend_env: dict[str, str]) -> None:
    reply = call("POST", "/gap-analysis/responses", body="answers", headers={"Content-Type": "text/plain"})

    assert reply.status == 415
    assert stored_responses(backend_env) == 0
