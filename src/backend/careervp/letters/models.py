"""Cover-letter payloads at the API edge."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from careervp.generation.endpoint import ModelUsage
from careervp.tailoring.models import MAX_CV_CHARS, MAX_DESCRIPTION_CHARS

Tone = Literal["formal", "warm", "concise"]
MIN_WORDS = 120
MAX_WORDS = 450

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class CoverLetterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cv: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CV_CHARS)] = (
        Field(description="The candidate's CV as plain text or Markdown")
    )
    job_description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_DESCRIPTION_CHARS)
    ] = Field(description="The job description as plain text")
    company_name: Name
    role: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    hiring_manager: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = Field(
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
