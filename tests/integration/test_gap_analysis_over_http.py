from __future__ import annotations

from typing import Any


def test_gap_analysis_questions_then_answers_round_trip_over_http(http: Any) -> None:
    questions = http(
        "POST",
        "/gap-analysis/questions",
        json_body={"cv": "Python on AWS.", "job_description": "Python, Terraform and Kubernetes."},
    )
    assert questions.status == 200
    answers = [
        {"question_id": question["question_id"], "answer": f"I used {question['skill']} at work."}
        for question in questions.body["questions"]
    ]

    stored = http(
        "POST",
        "/gap-analysis/responses",
        json_body={"analysis_id": questions.body["analysis_id"], "answers": answers},
    )
    read = http("GET", f"/gap-analysis/responses/{stored.body['response_id']}")

    assert [answer["question_id"] for answer in answers] == ["gap-terraform", "gap-kubernetes"]
    assert stored.status == 201
    assert read.body["answers"] == answers


def test_gap_analysis_bad_input_over_http_gets_400_and_unknown_id_404(http: Any) -> None:
    missing = http("POST", "/gap-analysis/questions", json_body={"cv": "Python"})
    unknown = http("GET", "/gap-analysis/responses/" + "0" * 32)

    assert missing.status == 400
    assert "job_description" in missing.body["message"]
    assert unknown.status == 404
