"""`POST /cv-tailoring`: the CV rewritten by the model for one job, stored in S3 and returned."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from careervp.api import create_resolver, created, lambda_handler
from careervp.generation.endpoint import DOCUMENT_REQUEST_BYTES, document_route, write_document
from careervp.resources import TAILORING_FUNCTION
from careervp.tailoring.models import CvTailoringRequest, TailoredCv
from careervp.tailoring.prompt import tailoring_prompt
from careervp.tailoring.store import TAILORED_CVS

app = create_resolver()


@document_route(
    app,
    "/cv-tailoring",
    summary="Tailor a CV to a job with the model (from the CV's own facts only); stores the result in S3",
    answer=TailoredCv,
    described="The tailored CV, stored",
)
def tailor_cv(request: Annotated[CvTailoringRequest, Body()]) -> Response[TailoredCv]:
    brief = tailoring_prompt(request.cv, request.job_description, request.target_role)
    tailored = write_document(brief.prompt, TAILORED_CVS)
    return created(
        tailored.answer(
            TailoredCv,
            matched_skills=list(brief.matched_skills),
            missing_skills=list(brief.missing_skills),
        )
    )


handler = lambda_handler(app, function=TAILORING_FUNCTION, max_body_bytes=DOCUMENT_REQUEST_BYTES)
