"""CV-tailoring payloads at the API edge."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from careervp.generation.endpoint import ModelUsage
from careervp.text import REQUEST_MODEL_CONFIG, STRIPPED, not_blank

MAX_CV_CHARS = 12_000
MAX_DESCRIPTION_CHARS = 8_000


class CvTailoringRequest(BaseModel):
    model_config = REQUEST_MODEL_CONFIG

    cv: Annotated[str, not_blank(MAX_CV_CHARS), STRIPPED] = Field(
        description="The CV as plain text or Markdown"
    )
    job_description: Annotated[str, not_blank(MAX_DESCRIPTION_CHARS), STRIPPED] = Field(
        description="The job description as plain text"
    )
    target_role: Annotated[str, StringConstraints(max_length=120), STRIPPED] = Field(
        default="", description="The role applied for, when the job description does not say it plainly"
    )


class TailoredCv(BaseModel):
    tailoring_id: str
    document_key: str = Field(description="Where the tailored CV (Markdown) was stored in S3")
    content: str = Field(description="The tailored CV, Markdown")
    matched_skills: list[str] = Field(description="Skills the job asks for that the CV shows")
    missing_skills: list[str] = Field(
        description="Skills the job asks for that the CV does not show (the model is told not to claim them)"
    )
    usage: ModelUsage
    created_at: str
