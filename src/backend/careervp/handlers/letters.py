"""`POST /cover-letters`: a cover letter written by the model from the CV for one job, stored in S3."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from careervp.api import create_resolver, created, lambda_handler
from careervp.generation.endpoint import DOCUMENT_REQUEST_BYTES, document_route, write_document
from careervp.letters.models import CoverLetter, CoverLetterRequest
from careervp.letters.prompt import cover_letter_prompt
from careervp.letters.store import COVER_LETTERS
from careervp.resources import LETTERS_FUNCTION

app = create_resolver()


@document_route(
    app,
    "/cover-letters",
    summary="Write a cover letter for a job with the model, from the CV's own facts; stores it in S3",
    answer=CoverLetter,
    described="The cover letter, stored",
)
def write_cover_letter(request: Annotated[CoverLetterRequest, Body()]) -> Response[CoverLetter]:
    letter = write_document(cover_letter_prompt(request), COVER_LETTERS)
    return created(letter.answer(CoverLetter))


handler = lambda_handler(app, function=LETTERS_FUNCTION, max_body_bytes=DOCUMENT_REQUEST_BYTES)
