"""`POST /cv-tailoring`: the CV rewritten by the model for one job, stored in S3 and returned."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from careervp.api import create_resolver, created, error_responses, lambda_handler, ok_response
from careervp.generation.endpoint import write_document
from careervp.resources import TAILORING_BUCKET, TAILORING_FUNCTION
from careervp.tailoring.models import CvTailoringRequest, TailoredCv
from careervp.tailoring.prompt import tailoring_prompt
from careervp.tailoring.store import tailored_cv_key

MAX_REQUEST_BYTES = 128 * 1024
"""Room for the longest valid request with every character JSON-escaped (\\uXXXX: 6 bytes)."""


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
    tailored = write_document(
        brief.prompt,
        bucket=TAILORING_BUCKET,
        key_of=tailored_cv_key,
        logged_as="cv tailored",
        id_field="tailoring_id",
    )
    return created(
        TailoredCv(
            tailoring_id=tailored.id,
            document_key=tailored.key,
            content=tailored.text,
            matched_skills=list(brief.matched_skills),
            missing_skills=list(brief.missing_skills),
            usage=tailored.usage,
            created_at=tailored.created_at,
        )
    )


handler = lambda_handler(app, function=TAILORING_FUNCTION, max_body_bytes=MAX_REQUEST_BYTES)
