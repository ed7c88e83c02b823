"""`POST /cover-letters`: a cover letter written by the model from the CV for one job, stored in S3."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from careervp.api import create_resolver, created, error_responses, lambda_handler, ok_response
from careervp.generation.endpoint import write_document
from careervp.letters.models import CoverLetter, CoverLetterRequest
from careervp.letters.prompt import cover_letter_prompt
from careervp.letters.store import cover_letter_key
from careervp.resources import LETTERS_BUCKET, LETTERS_FUNCTION

MAX_REQUEST_BYTES = 128 * 1024
"""Room for the longest valid request with every character JSON-escaped (\\uXXXX: 6 bytes)."""


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
    letter = write_document(
        cover_letter_prompt(request),
        bucket=LETTERS_BUCKET,
        key_of=cover_letter_key,
        logged_as="cover letter written",
        id_field="letter_id",
    )
    return created(
        CoverLetter(
            letter_id=letter.id,
            document_key=letter.key,
            content=letter.text,
            usage=letter.usage,
            created_at=letter.created_at,
        )
    )


handler = lambda_handler(app, function=LETTERS_FUNCTION, max_body_bytes=MAX_REQUEST_BYTES)
