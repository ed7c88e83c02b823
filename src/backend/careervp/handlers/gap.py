"""Gap-analysis routes: derive questions from a CV and a job description, store and read answers."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from careervp.answers import require_one_answer_per_question
from careervp.api import create_resolver, created, error_responses, lambda_handler, ok_response
from careervp.config import table_name
from careervp.gap.models import (
    RESPONSE_ID_PATTERN,
    Question,
    QuestionsRequest,
    QuestionsResponse,
    ResponsesRequest,
    StoredResponses,
)
from careervp.gap.questions import analyse
from careervp.gap.store import ResponseStore
from careervp.observability import logger
from careervp.resources import GAP_FUNCTION, GAP_TABLE

MAX_REQUEST_BYTES = 256 * 1024


def _store() -> ResponseStore:
    from careervp import aws_clients  # noqa: PLC0415  (boto3 loads on the first request that needs AWS, not at import)

    return ResponseStore(table=table_name(GAP_TABLE), dynamodb=aws_clients.dynamodb())


app = create_resolver()


@app.post(
    "/gap-analysis/questions",
    summary="Questions about the skills a job asks for that a CV does not show",
    responses={
        **ok_response(QuestionsResponse, "The questions, in job-description order"),
        **error_responses(400, 413, 415),
    },
)
def derive_questions(request: Annotated[QuestionsRequest, Body()]) -> QuestionsResponse:
    analysis = analyse(request.cv, request.job_description)
    logger.info(
        "gap analysis derived", extra={"analysis_id": analysis.analysis_id, "gaps": len(analysis.questions)}
    )
    return QuestionsResponse(
        analysis_id=analysis.analysis_id,
        matched_skills=list(analysis.matched_skills),
        questions=[
            Question(question_id=item.question_id, skill=item.skill, question=item.question)
            for item in analysis.questions
        ],
    )


@app.post(
    "/gap-analysis/responses",
    summary="Store answers to gap-analysis questions",
    responses={**ok_response(StoredResponses, "Stored", 201), **error_responses(400, 413, 415, 422, 500)},
)
def store_responses(request: Annotated[ResponsesRequest, Body()]) -> Response[StoredResponses]:
    require_one_answer_per_question(answer.question_id for answer in request.answers)
    stored = _store().save(request)
    logger.info(
        "gap responses stored", extra={"response_id": stored.response_id, "answers": len(stored.answers)}
    )
    return created(stored, f"/gap-analysis/responses/{stored.response_id}")


@app.get(
    "/gap-analysis/responses/<response_id>",
    summary="Read stored answers",
    responses={**ok_response(StoredResponses, "The stored answers"), **error_responses(400, 404, 500)},
)
def get_responses(
    response_id: Annotated[str, Path(pattern=RESPONSE_ID_PATTERN, description="32 lowercase hex digits")],
) -> StoredResponses:
    stored = _store().get(response_id)
    if stored is None:
        raise NotFoundError(f"no gap-analysis responses with id {response_id!r}")
    return stored


handler = lambda_handler(app, function=GAP_FUNCTION, max_body_bytes=MAX_REQUEST_BYTES)
