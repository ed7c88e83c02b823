"""Interview prep over real HTTP against a moto server: the chain questions -> responses -> report."""

from __future__ import annotations

from typing import Any

import boto3
from careervp.resources import ENV_VAR_INTERVIEW_BUCKET, ENV_VAR_INTERVIEW_TABLE

JOB = "You will mentor engineers, ship releases on a deadline and present results to customers."


def test_interview_prep_chain_questions_responses_report_over_http(
    http: Any, backend_env: dict[str, str]
) -> None:
    questions = http(
        "POST",
        "/interview-prep/questions",
        json_body={"role": "staff engineer", "job_description": JOB, "count": 3},
    )
    assert questions.status == 201
    session_id = questions.body["session_id"]
    asked = {q["question_id"]: q for q in questions.body["questions"]}
    assert [q["competency"] for q in asked.values()] == ["leadership", "delivery", "communication"]

    answers = [
        {
            "question_id": question_id,
            "situation": f"Situation for {question_id}.",
            "task": "My task.",
            "action": "I did the work myself.",
            "result": "Saved 3 weeks.",
        }
        for question_id in ("q1", "q3")
    ]
    stored = http(
        "POST", "/interview-prep/responses", json_body={"session_id": session_id, "answers": answers}
    )
    assert stored.status == 201
    assert stored.body["unanswered"] == ["q2"]

    report = http("POST", "/interview-prep/report", json_body={"session_id": session_id})
    assert report.status == 201
    assert report.body["tips"] == []
    body = (
        boto3.client("s3")
        .get_object(Bucket=backend_env[ENV_VAR_INTERVIEW_BUCKET], Key=report.body["report_key"])["Body"]
        .read()
        .decode()
    )
    assert body.index(asked["q1"]["question"]) < body.index(asked["q3"]["question"])
    assert "- **Situation:** Situation for q3." in body
    assert f"- 2. {asked['q2']['question']}" in body
    item = boto3.client("dynamodb").get_item(
        TableName=backend_env[ENV_VAR_INTERVIEW_TABLE], Key={"session_id": {"S": session_id}}
    )["Item"]
    assert sorted(item["answers"]["M"]) == ["q1", "q3"]


def test_interview_prep_refuses_unknown_sessions_and_bad_bodies_over_http(http: Any) -> None:
    unknown = http("POST", "/interview-prep/report", json_body={"session_id": "0" * 32})
    assert unknown.status == 404
    malformed = http(
        "POST",
        "/interview-prep/questions",
        data=b'{"role": "x"',
        headers={"Content-Type": "application/json"},
    )
    assert malformed.status == 400
    assert "not valid JSON" in malformed.body["message"]
