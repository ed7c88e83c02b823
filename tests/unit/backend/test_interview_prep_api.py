from __future__ import annotations

import time
from typing import Any

import boto3
import pytest
from careervp.interview.store import RETENTION_SECONDS
from careervp.resources import ENV_VAR_INTERVIEW_BUCKET, ENV_VAR_INTERVIEW_TABLE

QUESTIONS = {"role": "backend engineer", "job_description": "Lead a team. Debug incidents.", "count": 3}


def star(question_id: str, result: str = "Cut the error rate by 40%.") -> dict[str, str]:
    return {
        "question_id": question_id,
        "situation": "Errors spiked after a release.",
        "task": "Find the cause.",
        "action": "I bisected the release.",
        "result": result,
    }


def start(call: Any) -> str:
    reply = call("POST", "/interview-prep/questions", json_body=QUESTIONS)
    assert reply.status == 201
    session_id: str = reply.body["session_id"]
    return session_id


def test_questions_start_a_session_stored_with_an_expiry(call: Any, backend_env: dict[str, str]) -> None:
    reply = call("POST", "/interview-prep/questions", json_body=QUESTIONS)

    assert reply.status == 201
    assert [q["competency"] for q in reply.body["questions"]] == [
        "leadership",
        "collaboration",
        "problem solving",
    ]
    item = boto3.client("dynamodb").get_item(
        TableName=backend_env[ENV_VAR_INTERVIEW_TABLE], Key={"session_id": {"S": reply.body["session_id"]}}
    )["Item"]
    expires = int(item["expires_at"]["N"])
    assert abs(expires - (time.time() + RETENTION_SECONDS)) < 60


def test_answers_accumulate_per_question_and_a_later_answer_replaces_an_earlier(call: Any) -> None:
    session_id = start(call)
    first = call(
        "POST", "/interview-prep/responses", json_body={"session_id": session_id, "answers": [star("q2")]}
    )
    assert first.status == 201
    assert first.body == {"session_id": session_id, "answered": ["q2"], "unanswered": ["q1", "q3"]}
    again = {"session_id": session_id, "answers": [star("q1"), star("q2", "Halved it.")]}
    second = call("POST", "/interview-prep/responses", json_body=again)
    assert second.body["answered"] == ["q1", "q2"]


def test_the_report_is_uploaded_to_s3_under_its_validated_key(call: Any, backend_env: dict[str, str]) -> None:
    session_id = start(call)
    call(
        "POST",
        "/interview-prep/responses",
        json_body={"session_id": session_id, "answers": [star("q1", "Better.")]},
    )

    reply = call("POST", "/interview-prep/report", json_body={"session_id": session_id})

    assert reply.status == 201
    assert reply.body["report_key"] == f"interview/reports/{session_id}.md"
    assert (reply.body["answered"], reply.body["unanswered"]) == (1, 2)
    assert reply.body["tips"] == ["q1: quantify the result (a number, a percentage, a time saved)"]
    stored = boto3.client("s3").get_object(
        Bucket=backend_env[ENV_VAR_INTERVIEW_BUCKET], Key=reply.body["report_key"]
    )
    assert stored["ContentType"] == "text/markdown; charset=utf-8"
    report = stored["Body"].read().decode()
    assert "- **Action:** I bisected the release." in report
    assert "## Not answered yet" in report


def test_a_report_before_any_answer_is_refused_and_uploads_nothing(
    call: Any, backend_env: dict[str, str]
) -> None:
    session_id = start(call)
    reply = call("POST", "/interview-prep/report", json_body={"session_id": session_id})
    assert reply.status == 409
    assert "has no answers yet" in reply.body["message"]
    listed = boto3.client("s3").list_objects_v2(Bucket=backend_env[ENV_VAR_INTERVIEW_BUCKET])
    assert listed["KeyCount"] == 0


def test_an_answer_to_a_question_the_session_lacks_is_422_naming_it(call: Any) -> None:
    session_id = start(call)
    reply = call(
        "POST", "/interview-prep/responses", json_body={"session_id": session_id, "answers": [star("q9")]}
    )
    assert reply.status == 422
    assert "has no question q9; its questions are q1, q2, q3" in reply.body["message"]


@pytest.mark.parametrize("route", ["/interview-prep/responses", "/interview-prep/report"])
def test_an_unknown_session_is_404_naming_it(call: Any, route: str) -> None:
    body: dict[str, Any] = {"session_id": "e" * 32}
    if route.endswith("responses"):
        body["answers"] = [star("q1")]
    reply = call("POST", route, json_body=body)
    assert reply.status == 404
    assert "e" * 32 in reply.body["message"]


def test_a_question_answered_twice_is_422_and_stores_nothing(call: Any, backend_env: dict[str, str]) -> None:
    session_id = start(call)
    body = {"session_id": session_id, "answers": [star("q1"), star("q1")]}
    reply = call("POST", "/interview-prep/responses", json_body=body)
    assert reply.status == 422
    assert "'q1' is answered more than once" in reply.body["message"]
    assert call("POST", "/interview-prep/report", json_body={"session_id": session_id}).status == 409


@pytest.mark.parametrize(
    ("route", "body", "message_part"),
    [
        ("/interview-prep/questions", {"role": "x", "job_description": "y", "count": 11}, "body.count"),
        ("/interview-prep/questions", {"job_description": "y"}, "body.role: Field required"),
        ("/interview-prep/responses", {"session_id": "nope", "answers": [star("q1")]}, "body.session_id"),
        (
            "/interview-prep/responses",
            {"session_id": "a" * 32, "answers": [{**star("q1"), "result": " "}]},
            "body.answers.0.result",
        ),
        ("/interview-prep/report", {"session_id": "a" * 32, "extra": 1}, "body.extra"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_stores_nothing(
    call: Any, backend_env: dict[str, str], route: str, body: dict[str, Any], message_part: str
) -> None:
    reply = call("POST", route, json_body=body)
    assert reply.status == 400
    assert message_part in reply.body["message"]
    scanned = boto3.client("dynamodb").scan(TableName=backend_env[ENV_VAR_INTERVIEW_TABLE])
    assert scanned["Count"] == 0
