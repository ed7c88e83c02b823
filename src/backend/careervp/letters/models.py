"""Cover-letter payloads at the API edge."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from careervp.generation.endpoint import ModelUsage
from careervp.tailoring.models import MAX_CV_CHARS, MAX_DESCRIPTION_CHARS
from careervp.text import REQUEST_MODEL_CONFIG, STRIPPED, not_blank

Tone = Literal["formal", "warm", "concise"]
MIN_WORDS = 120
MAX_WORDS = 450

Name = Annotated[str, not_blank(200), STRIPPED]


class CoverLetterRequest(BaseModel):
    model_config = REQUEST_MODEL_CONFIG

    cv: Annotated[str, not_blank(MAX_CV_CHARS), STRIPPED] = Field(
        description="The candidate's CV as plain text or Markdown"
    )
    job_description: Annotated[str, not_blank(MAX_DESCRIPTION_CHARS), STRIPPED] = Field(
        description="The job description as plain text"
    )
    company_name: Name
    role: Annotated[str, not_blank(120), STRIPPED]
    hiring_manager: Annotated[str, StringConstraints(max_length=120), STRIPPED] = Field(
        default="", description="Whom to address; empty: 'Dear Hiring Manager'"
    )
    tone: Tone = "formal"
    max_words: int = Field(default=300, ge=MIN_WORDS, le=MAX_WORDS, description="The letter's length limit")


class CoverLetter(BaseModel):
    letter_id: str
    document_key: str = Field(description="Where the letter (Markdown) was stored in S3")
    content: str = Field(description="The cover letter, Markdown")
    usage: ModelUsage
    created_at: str
