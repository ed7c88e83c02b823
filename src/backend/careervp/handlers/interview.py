"""Interview-prep routes: questions for a role, STAR answers to them, and a report stored in S3.

The chain is questions -> responses -> report, joined by the session id the first call returns.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.openapi.params import Body

from careervp.answers import require_one_answer_per_question
from careervp.api import create_resolver, created, error_responses, lambda_handler, ok_response
from careervp.config import bucket_name, table_name
from careervp.interview.models import (
    InterviewAnswers,
    InterviewQuestion,
    InterviewQuestionsRequest,
    InterviewQuestionsResponse,
    InterviewReport,
    InterviewReportRequest,
    InterviewResponsesRequest,
)
from careervp.interview.questions import prepare
from careervp.interview.star import render_report
from careervp.interview.store import (
    ReportStore,
    SessionStore,
    UnknownQuestionError,
    UnknownSessionError,
)
from careervp.observability import logger
from careervp.resources import INTERVIEW_BUCKET, INTERVIEW_FUNCTION, INTERVIEW_TABLE

MAX_REQUEST_BYTES = 128 * 1024


def _sessions() -> SessionStore:
    from careervp import aws_clients  # noqa: PLC0415  (boto3 loads on the first request that needs AWS)

    return SessionStore(table=table_name(INTERVIEW_TABLE), dynamodb=aws_clients.dynamodb())


def _reports() -> ReportStore:
    from careervp import aws_clients  # noqa: PLC0415

    return ReportStore(bucket=bucket_name(INTERVIEW_BUCKET), s3=aws_clients.s3())


app = create_resolver()


@app.post(
    "/interview-prep/questions",
    summary="Behavioural questions for a role, from what its job description asks for; starts a session",
    responses={
        **ok_response(InterviewQuestionsResponse, "The session and its questions", 201),
        **error_responses(400, 413, 415, 500),
    },
)
def prepare_questions(
    request: Annotated[InterviewQuestionsRequest, Body()],
) -> Response[InterviewQuestionsResponse]:
    questions = [
        InterviewQuestion(question_id=q.question_id, competency=q.competency, question=q.question)
        for q in prepare(request.role, request.job_description, request.count)
    ]
    session = _sessions().create(request.role, questions)
    logger.info(
        "interview session started", extra={"session_id": session.session_id, "questions": len(questions)}
    )
    return created(
        InterviewQuestionsResponse(session_id=session.session_id, role=request.role, questions=questions)
    )


@app.post(
    "/interview-prep/responses",
    summary="Store STAR answers to a session's questions (an answer replaces an earlier one)",
    responses={
        **ok_response(InterviewAnswers, "Stored", 201),
        **error_responses(400, 404, 413, 415, 422, 500),
    },
)
def store_responses(request: Annotated[InterviewResponsesRequest, Body()]) -> Response[InterviewAnswers]:
    """422 for an answer the session cannot take (a repeated or unknown question)."""
    require_one_answer_per_question(answer.question_id for answer in request.answers)
    try:
        session = _sessions().answer(request.session_id, request.answers)
    except UnknownSessionError as error:
        raise NotFoundError(str(error)) from None
    except UnknownQuestionError as error:
        raise ServiceError(HTTPStatus.UNPROCESSABLE_ENTITY.value, str(error)) from None
    answered = [q.question_id for q in session.questions if q.question_id in session.answers]
    unanswered = [q.question_id for q in session.questions if q.question_id not in session.answers]
    logger.info(
        "interview answers stored", extra={"session_id": session.session_id, "answered": len(answered)}
    )
    return created(InterviewAnswers(session_id=session.session_id, answered=answered, unanswered=unanswered))


@app.post(
    "/interview-prep/report",
    summary="Write the session's report (answers in STAR form, tips) to S3",
    responses={
        **ok_response(InterviewReport, "The report was stored", 201),
        **error_responses(400, 404, 409, 413, 415, 500),
    },
)
def write_report(request: Annotated[InterviewReportRequest, Body()]) -> Response[InterviewReport]:
    """409 while the session has no answers: the request is valid, the session not ready for it."""
    try:
        session = _sessions().get(request.session_id)
    except UnknownSessionError as error:
        raise NotFoundError(str(error)) from None
    if not session.answers:
        raise ServiceError(
            HTTPStatus.CONFLICT.value,
            f"session {session.session_id} has no answers yet; post them to /interview-prep/responses",
        )
    markdown, tips = render_report(session.role, session.questions, session.answers)
    key = _reports().put(session.session_id, markdown)
    logger.info("interview report stored", extra={"session_id": session.session_id, "report_key": key})
    return created(
        InterviewReport(
            session_id=session.session_id,
            report_key=key,
            answered=len(session.answers),
            unanswered=len(session.questions) - len(session.answers),
            tips=tips,
        )
    )


handler = lambda_handler(app, function=INTERVIEW_FUNCTION, max_body_bytes=MAX_REQUEST_BYTES)
