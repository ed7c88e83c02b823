"""Gap-analysis payloads at the API edge."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from careervp.answers import ONE_ANSWER_PER_QUESTION
from careervp.text import REQUEST_MODEL_CONFIG, STRIPPED, not_blank

MAX_TEXT_CHARS = 50_000
RESPONSE_ID_PATTERN = r"^[0-9a-f]{32}$"
ANALYSIS_ID_PATTERN = r"^ga-[0-9a-f]{24}$"
QUESTION_ID_PATTERN = r"^gap-[a-z0-9-]{1,60}$"

NonBlankText = Annotated[str, not_blank(MAX_TEXT_CHARS), STRIPPED]


class QuestionsRequest(BaseModel):
    model_config = REQUEST_MODEL_CONFIG

    cv: NonBlankText = Field(description="The candidate's CV as plain text")
    job_description: NonBlankText = Field(description="The job description as plain text")


class Question(BaseModel):
    question_id: str
    skill: str
    question: str


class QuestionsResponse(BaseModel):
    analysis_id: str = Field(description="Stable for the same CV and job description")
    matched_skills: list[str]
    questions: list[Question]


class Answer(BaseModel):
    model_config = REQUEST_MODEL_CONFIG

    question_id: Annotated[str, StringConstraints(pattern=QUESTION_ID_PATTERN)]
    answer: Annotated[str, not_blank(5_000), STRIPPED]


class ResponsesRequest(BaseModel):
    model_config = REQUEST_MODEL_CONFIG

    analysis_id: Annotated[str, StringConstraints(pattern=ANALYSIS_ID_PATTERN)]
    answers: list[Answer] = Field(min_length=1, max_length=20, description=ONE_ANSWER_PER_QUESTION)


class StoredResponses(BaseModel):
    response_id: str
    analysis_id: str
    answers: list[Answer]
    created_at: str = Field(description="ISO 8601, UTC")
