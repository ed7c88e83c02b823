"""`POST /cover-letters`: a cover letter written by the model from the CV for one job, stored in S3."""

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
from careervp.letters.models import CoverLetter, CoverLetterRequest
from careervp.letters.prompt import cover_letter_prompt
from careervp.letters.store import cover_letter_key
from careervp.observability import logger
from careervp.resources import LETTERS_BUCKET, LETTERS_FUNCTION

MAX_REQUEST_BYTES = 128 * 1024
"""Room for the longest valid request with every character JSON-escaped (\\uXXXX: 6 bytes)."""


def _documents() -> DocumentStore:
    from careervp import aws_clients  # noqa: PLC0415  (boto3 loads on the first request that needs AWS)

    return DocumentStore(bucket=bucket_name(LETTERS_BUCKET), s3=aws_clients.s3())


app = create_resolver()


@app.post(
    "/cover-letters",
    summary="Write a cover letter for a job with the model, from the CV's own facts; stores it in S3",
    responses={
        **ok_response(CoverLetter, "The cover letter, stored", 201),
        **error_responses(400, 413, 415, 500, 502),
    },
)
def write_cover_letter(request: Annotated[CoverLetterRequest, Body()]) -> Response[CoverLetter]:
    prompt = cover_letter_prompt(request)
    documents = _documents()
    written = generate(prompt)
    letter_id = uuid.uuid4().hex
    key = documents.put(cover_letter_key(letter_id), written.text)
    logger.info("cover letter written", extra={"letter_id": letter_id, "document_key": key})
    result = CoverLetter(
        letter_id=letter_id,
        document_key=key,
        content=written.text,
        usage=usage_of(written),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    return Response(
        status_code=HTTPStatus.CREATED.value, content_type=content_types.APPLICATION_JSON, body=result
    )


handler = lambda_handler(app, function=LETTERS_FUNCTION, max_body_bytes=MAX_REQUEST_BYTES)
