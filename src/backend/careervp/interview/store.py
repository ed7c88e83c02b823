"""Interview-prep sessions in DynamoDB (one item each, expired after `RETENTION`) and reports in S3.

A session holds the prepared questions and the candidate's answers, which are personal data: the item
carries a TTL, and answers are written per question (`SET answers.#q`) so two submissions never overwrite
each other's questions. The report is written under a key `careervp.object_keys` checked.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from careervp.interview.models import InterviewQuestion, StarAnswer
from careervp.object_keys import object_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

RETENTION_SECONDS = 30 * 24 * 3600
REPORT_CONTENT_TYPE = "text/markdown; charset=utf-8"


class UnknownSessionError(LookupError):
    """No session with this id (never created, or expired)."""


class UnknownQuestionError(ValueError):
    """An answer names a question the session does not have."""


@dataclass(frozen=True)
class Session:
    session_id: str
    role: str
    questions: tuple[InterviewQuestion, ...]
    answers: dict[str, StarAnswer]


def report_key(session_id: str) -> str:
    return object_key("interview", "reports", session_id, "md")


class SessionStore:
    def __init__(self, *, table: str, dynamodb: DynamoDBClient) -> None:
        self._table = table
        self._dynamodb = dynamodb

    def create(self, role: str, questions: list[InterviewQuestion]) -> Session:
        session = Session(uuid.uuid4().hex, role, tuple(questions), {})
        self._dynamodb.put_item(
            TableName=self._table,
            Item={
                "session_id": {"S": session.session_id},
                "role": {"S": role},
                "questions": {"S": json.dumps([question.model_dump() for question in questions])},
                "answers": {"M": {}},
                "expires_at": {"N": str(int(time.time()) + RETENTION_SECONDS)},
            },
            ConditionExpression="attribute_not_exists(session_id)",
        )
        return session

    def get(self, session_id: str) -> Session:
        item = self._dynamodb.get_item(
            TableName=self._table, Key={"session_id": {"S": session_id}}, ConsistentRead=True
        ).get("Item")
        if not item:
            raise UnknownSessionError(f"no interview-prep session with id {session_id!r}")
        questions = tuple(InterviewQuestion.model_validate(q) for q in json.loads(item["questions"]["S"]))
        answers = {
            question_id: StarAnswer.model_validate_json(value["S"])
            for question_id, value in item.get("answers", {}).get("M", {}).items()
        }
        return Session(item["session_id"]["S"], item["role"]["S"], questions, answers)

    def answer(self, session_id: str, answers: list[StarAnswer]) -> Session:
        """Record `answers` (replacing earlier answers to the same questions); the updated session."""
        session = self.get(session_id)
        known = {question.question_id for question in session.questions}
        if unknown := sorted({answer.question_id for answer in answers} - known):
            raise UnknownQuestionError(
                f"session {session_id} has no question {', '.join(unknown)}; "
                f"its questions are {', '.join(sorted(known))}"
            )
        names = {f"#q{index}": answer.question_id for index, answer in enumerate(answers)}
        values = {f":a{index}": {"S": answer.model_dump_json()} for index, answer in enumerate(answers)}
        self._dynamodb.update_item(
            TableName=self._table,
            Key={"session_id": {"S": session_id}},
            UpdateExpression="SET " + ", ".join(f"answers.#q{i} = :a{i}" for i in range(len(answers))),
            ConditionExpression="attribute_exists(session_id)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
        return Session(
            session.session_id,
            session.role,
            session.questions,
            {**session.answers, **{answer.question_id: answer for answer in answers}},
        )


class ReportStore:
    """Writes reports; the function may put objects into the reports bucket, never read or list it."""

    def __init__(self, *, bucket: str, s3: S3Client) -> None:
        self._bucket = bucket
        self._s3 = s3

    def put(self, session_id: str, markdown: str) -> str:
        key = report_key(session_id)
        self._s3.put_object(
            Bucket=self._bucket, Key=key, Body=markdown.encode("utf-8"), ContentType=REPORT_CONTENT_TYPE
        )
        return key
