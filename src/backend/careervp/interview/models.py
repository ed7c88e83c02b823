"""Interview-prep payloads at the API edge."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from careervp.answers import ONE_ANSWER_PER_QUESTION
from careervp.text import REQUEST_MODEL_CONFIG, STRIPPED, not_blank

SESSION_ID_PATTERN = r"^[0-9a-f]{32}$"
QUESTION_ID_PATTERN = r"^q(10|[1-9])$"
MAX_QUESTIONS = 10
MAX_DESCRIPTION_CHARS = 50_000
MAX_PART_CHARS = 4_000

SessionId = Annotated[str, StringConstraints(pattern=SESSION_ID_PATTERN)]
StarPart = Annotated[str, not_blank(MAX_PART_CHARS), STRIPPED]


class InterviewQuestionsRequest(BaseModel):
    model_config = REQUEST_MODEL_CONFIG

    role: Annotated[str, not_blank(120), STRIPPED] = Field(
        description="The role interviewed for, e.g. 'backend engineer'"
    )
    job_description: Annotated[str, not_blank(MAX_DESCRIPTION_CHARS), STRIPPED] = Field(
        description="The job description as plain text"
    )
    count: int = Field(default=5, ge=1, le=MAX_QUESTIONS, description="How many questions to prepare")


class InterviewQuestion(BaseModel):
    question_id: str
    competency: str
    question: str


class InterviewQuestionsResponse(BaseModel):
    session_id: str = Field(description="Pass it to /interview-prep/responses and /interview-prep/report")
    role: str
    questions: list[InterviewQuestion]


class StarAnswer(BaseModel):
    """One answer in STAR form: the situation, the task, the action taken, the result."""

    model_config = REQUEST_MODEL_CONFIG

    question_id: Annotated[str, StringConstraints(pattern=QUESTION_ID_PATTERN)]
    situation: StarPart
    task: StarPart
    action: StarPart
    result: StarPart


class InterviewResponsesRequest(BaseModel):
    model_config = REQUEST_MODEL_CONFIG

    session_id: SessionId
    answers: list[StarAnswer] = Field(
        min_length=1, max_length=MAX_QUESTIONS, description=ONE_ANSWER_PER_QUESTION
    )


class InterviewAnswers(BaseModel):
    session_id: str
    answered: list[str] = Field(description="Question ids answered so far")
    unanswered: list[str] = Field(description="Question ids still without an answer")


class InterviewReportRequest(BaseModel):
    model_config = REQUEST_MODEL_CONFIG

    session_id: SessionId


class InterviewReport(BaseModel):
    session_id: str
    report_key: str = Field(description="Where the Markdown report was stored in the reports bucket")
    answered: int
    unanswered: int
    tips: list[str] = Field(description="One line per answer that a STAR reviewer would send back")
