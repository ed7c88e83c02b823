# ruff: noqa: S101  (a pytest suite: assert is how it states what must hold)
"""The happy-path end-to-end suite: a user's journeys through the deployed API, over real HTTP.

Run by `careervp-ci journeys --env E` (careervp_ci.release.e2e) with pytest, programmatically; the `api`
fixture comes from that runner (the base URL, the webhook secret of the environment, and a signed-in user's ID
token, which every call but the public ones sends). Each test is one journey
with a fresh id, so runs never collide and nothing is left behind that a later run could trip on.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from careervp.billing.signature import compute_signature


@dataclass(frozen=True)
class Api:
    base_url: str
    webhook_secret: str
    id_token: str

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        *,
        signed_in: bool = True,
    ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        sent = {"Accept": "application/json", **({"Content-Type": "application/json"} if data else {})}
        if signed_in:
            sent["Authorization"] = self.id_token
        request = urllib.request.Request(  # noqa: S310 (the API under test)
            self.base_url.rstrip("/") + path, data=data, headers={**sent, **(headers or {})}, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                status, payload = int(response.status), response.read()
        except urllib.error.HTTPError as error:
            status, payload = int(error.code), error.read()
        return status, (json.loads(payload) if payload.strip() else None)

    def signed_webhook(self, event: dict[str, Any]) -> tuple[int, Any]:
        data = json.dumps(event, separators=(",", ":")).encode()
        stamp = int(time.time())
        signature = f"t={stamp},v1={compute_signature(data, stamp, self.webhook_secret)}"
        request = urllib.request.Request(  # noqa: S310
            self.base_url.rstrip("/") + "/webhooks/stripe",
            data=data,
            headers={"Content-Type": "application/json", "Stripe-Signature": signature},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return int(response.status), json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return int(error.code), error.read()


def test_the_service_is_healthy_and_names_its_version(api: Api) -> None:
    status, body = api.call("GET", "/health", signed_in=False)
    assert status == 200, body
    assert body["status"] == "ok", body


def test_the_personal_routes_need_a_signed_in_user(api: Api) -> None:
    assert api.call("GET", "/kb/documents", signed_in=False)[0] == 401
    assert api.call("GET", "/kb/documents", headers={"Authorization": "not-a-token"})[0] == 401
    assert api.call("GET", "/kb/documents")[0] == 200


def test_a_knowledge_base_journey_upload_list_read_delete(api: Api) -> None:
    run = uuid.uuid4().hex
    ids = []
    for title in ("cv", "cover letter"):
        status, body = api.call(
            "POST",
            "/kb/documents",
            {"title": f"e2e {title} {run}", "media_type": "text/plain", "content": f"{title} text {run}"},
        )
        assert status == 201, body
        ids.append(body["document_id"])
    status, listing = api.call("GET", "/kb/documents")
    assert status == 200, listing
    listed = json.dumps(listing)
    assert all(document_id in listed for document_id in ids)
    status, first = api.call("GET", f"/kb/documents/{ids[0]}")
    assert (status, first["content"]) == (200, f"cv text {run}")
    assert api.call("DELETE", f"/kb/documents/{ids[0]}")[0] == 204
    assert api.call("GET", f"/kb/documents/{ids[0]}")[0] == 404
    status, second = api.call("GET", f"/kb/documents/{ids[1]}")
    assert (status, second["content"]) == (200, f"cover letter text {run}"), "deleting one removed another"
    assert api.call("DELETE", f"/kb/documents/{ids[1]}")[0] == 204


def test_a_gap_analysis_journey_questions_then_answers_read_back(api: Api) -> None:
    run = uuid.uuid4().hex[:12]
    request = {
        "cv": f"Backend developer {run}: Python services and SQL reporting.",
        "job_description": f"Role {run}: Python, AWS Lambda, DynamoDB, Terraform and Kubernetes.",
    }
    status, analysis = api.call("POST", "/gap-analysis/questions", request)
    assert status == 200, analysis
    assert "python" in json.dumps(analysis["matched_skills"]).lower(), analysis
    assert analysis["questions"], "skills the CV lacks must be asked about"
    question = analysis["questions"][0]
    answers = {
        "analysis_id": analysis["analysis_id"],
        "answers": [{"question_id": question["question_id"], "answer": f"e2e answer {run}"}],
    }
    status, stored = api.call("POST", "/gap-analysis/responses", answers)
    assert status == 201, stored
    status, read = api.call("GET", f"/gap-analysis/responses/{stored['response_id']}")
    assert status == 200, read
    assert read["analysis_id"] == analysis["analysis_id"]
    assert read["answers"] == answers["answers"]


def test_a_billing_journey_signed_event_accepted_once_and_replay_acknowledged(api: Api) -> None:
    run = uuid.uuid4().hex
    event = {
        "id": f"evt_e2e_{run}",
        "type": "customer.subscription.updated",
        "created": 1767225600,
        "livemode": False,
        "data": {
            "object": {
                "object": "subscription",
                "id": f"sub_e2e_{run}",
                "customer": "cus_e2e",
                "status": "active",
            }
        },
    }
    first = api.signed_webhook(event)
    assert first[0] == 200, first
    assert first[1]["event_id"] == event["id"]
    replay = api.signed_webhook(event)
    assert replay[0] == 200, replay
    status, _ = api.call("POST", "/webhooks/stripe", event, signed_in=False)
    assert status in (400, 401), "an unsigned event must be refused"


def test_a_job_application_journey_tailored_cv_then_cover_letter(api: Api) -> None:
    run = uuid.uuid4().hex[:12]
    cv = f"E2E User {run}\nBackend engineer: Python and AWS for 5 years; mentored two juniors."
    job = f"Role {run}: Python services on AWS and Kubernetes; you will mentor engineers."
    status, tailored = api.call("POST", "/cv-tailoring", {"cv": cv, "job_description": job})
    assert status == 201, tailored
    assert "Kubernetes" in tailored["missing_skills"], tailored
    assert tailored["content"].strip(), "a tailored CV must have content"
    assert tailored["document_key"].startswith("tailoring/cvs/"), tailored
    letter_request = {
        "cv": cv,
        "job_description": job,
        "company_name": f"E2E Robotics {run}",
        "role": "Backend engineer",
        "max_words": 150,
    }
    status, letter = api.call("POST", "/cover-letters", letter_request)
    assert status == 201, letter
    assert letter["document_key"] == f"letters/cover-letters/{letter['letter_id']}.md", letter
    assert letter["content"].strip(), "a cover letter must have content"
    assert letter["usage"]["model"] == tailored["usage"]["model"], "both documents come from one model"


def test_an_interview_prep_journey_questions_answers_report(api: Api) -> None:
    run = uuid.uuid4().hex[:12]
    job = f"Role {run}: you will mentor engineers, ship releases on a deadline and present to customers."
    status, asked = api.call(
        "POST", "/interview-prep/questions", {"role": "staff engineer", "job_description": job, "count": 2}
    )
    assert status == 201, asked
    first, second = (question["question_id"] for question in asked["questions"])
    star = {"situation": f"e2e {run}", "task": "My task.", "action": "I led it.", "result": "Shipped."}
    status, stored = api.call(
        "POST",
        "/interview-prep/responses",
        {"session_id": asked["session_id"], "answers": [{"question_id": first, **star}]},
    )
    assert status == 201, stored
    assert stored["unanswered"] == [second], stored
    status, report = api.call("POST", "/interview-prep/report", {"session_id": asked["session_id"]})
    assert status == 201, report
    assert report["report_key"] == f"interview/reports/{asked['session_id']}.md", report
