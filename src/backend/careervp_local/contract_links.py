"""The links between the contract's operations: which value of one answer another operation takes.

OpenAPI links (3.1, section 4.8.20) let a client, and schemathesis' stateful phase, chain operations the
way a user does: create, then read or delete what was created; start a session, then answer it and ask for
its report. `careervp_local.openapi` adds each one to its source's response. A `requestBody` link gives only
the fields it names; the client fills in the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Link:
    """`method path` answering `status` feeds `target` (an operationId) under the name `name`."""

    method: str
    path: str
    status: str
    name: str
    target: str
    parameters: dict[str, str] = field(default_factory=dict)
    request_body: dict[str, str] = field(default_factory=dict)

    def definition(self) -> dict[str, Any]:
        link: dict[str, Any] = {"operationId": self.target}
        if self.parameters:
            link["parameters"] = dict(self.parameters)
        if self.request_body:
            link["requestBody"] = dict(self.request_body)
        return link


def _from_body(name: str) -> str:
    return f"$response.body#/{name}"


LINKS = (
    Link(
        "post",
        "/company-research",
        "201",
        "ReadResearch",
        "get_research_company_research__research_id__get",
        parameters={"path.research_id": _from_body("research_id")},
    ),
    Link(
        "post",
        "/kb/documents",
        "201",
        "ReadDocument",
        "get_document_kb_documents__document_id__get",
        parameters={"path.document_id": _from_body("document_id")},
    ),
    Link(
        "post",
        "/kb/documents",
        "201",
        "DeleteDocument",
        "delete_document_kb_documents__document_id__delete",
        parameters={"path.document_id": _from_body("document_id")},
    ),
    Link(
        "post",
        "/gap-analysis/questions",
        "200",
        "AnswerQuestions",
        "store_responses_gap_analysis_responses_post",
        request_body={"analysis_id": _from_body("analysis_id")},
    ),
    Link(
        "post",
        "/gap-analysis/responses",
        "201",
        "ReadAnswers",
        "get_responses_gap_analysis_responses__response_id__get",
        parameters={"path.response_id": _from_body("response_id")},
    ),
    Link(
        "post",
        "/interview-prep/questions",
        "201",
        "AnswerSession",
        "store_responses_interview_prep_responses_post",
        request_body={"session_id": _from_body("session_id")},
    ),
    Link(
        "post",
        "/interview-prep/questions",
        "201",
        "ReportSession",
        "write_report_interview_prep_report_post",
        request_body={"session_id": _from_body("session_id")},
    ),
    Link(
        "post",
        "/interview-prep/responses",
        "201",
        "ReportAnswers",
        "write_report_interview_prep_report_post",
        request_body={"session_id": _from_body("session_id")},
    ),
)


def add_links(document: dict[str, Any]) -> None:
    """Every link in `LINKS`, on its source's response; a KeyError names a link whose source is gone."""
    operation_ids = {
        operation.get("operationId")
        for operations in document["paths"].values()
        for operation in operations.values()
    }
    for link in LINKS:
        if link.target not in operation_ids:
            raise KeyError(f"link {link.name}: no operation {link.target!r} in the contract")
        response = document["paths"][link.path][link.method]["responses"][link.status]
        response.setdefault("links", {})[link.name] = link.definition()
