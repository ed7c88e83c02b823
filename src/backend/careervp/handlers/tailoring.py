"""`POST /cv-tailoring`: the CV rewritten by the model for one job, stored in S3 and returned."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body

from careervp.api import create_resolver, error_responses, lambda_handler, ok_response
from careervp.config import bucket_name
from careervp.generation.endpoint import DocumentStore, generate, usage_of
from careervp.observability import logger
from careervp.resources import TAILORING_BUCKET, TAILORING_FUNCTION
from careervp.tailoring.models import CvTailoringRequest, TailoredCv
from careervp.tailoring.prompt import tailoring_prompt
from careervp.tailoring.store import tailored_cv_key

MAX_REQUEST_BYTES = 128 * 1024
"""Room for the longest valid request with every character JSON-escaped (\\uXXXX: 6 bytes)."""


def _documents() -> DocumentStore:
    from careervp import aws_clients  # noqa: PLC0415  (boto3 loads on the first request that needs AWS)

    return DocumentStore(bucket=bucket_name(TAILORING_BUCKET), s3=aws_clients.s3())


app = create_resolver()


@app.post(
    "/cv-tailoring",
    summary="Tailor a CV to a job with the model (from the CV's own facts only); stores the result in S3",
    responses={
        **ok_response(TailoredCv, "The tailored CV, stored", 201),
        **error_responses(400, 413, 415, 500, 502),
    },
)
def tailor_cv(request: Annotated[CvTailoringRequest, Body()]) -> Response[TailoredCv]:
    brief = tailoring_prompt(request.cv, request.job_description, request.target_role)
    documents = _documents()
    written = generate(brief.prompt)
    tailoring_id = uuid.uuid4().hex
    key = documents.put(tailored_cv_key(tailoring_id), written.text)
    logger.info("cv tailored", extra={"tailoring_id": tailoring_id, "document_key": key})
    result = TailoredCv(
        tailoring_id=tailoring_id,
        document_key=key,
        content=written.text,
        matched_skills=list(brief.matched_skills),
        missing_skills=list(brief.missing_skills),
        usage=usage_of(written),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    return Response(
        status_code=HTTPStatus.CREATED.value, content_type=content_types.APPLICATION_JSON, body=result
    )


handler = lambda_handler(app, function=TAILORING_FUNCTION, max_body_bytes=MAX_REQUEST_BYTES)
