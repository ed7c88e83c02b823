"""The rule every answers payload shares (gap analysis, interview prep): one answer per question.

JSON Schema cannot say "unique by question_id", so the contract states the rule in words and the routes
answer its breach 422 (a valid request the API cannot process), never the 400 of a request that breaks the
schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus

from aws_lambda_powertools.event_handler.exceptions import ServiceError

ONE_ANSWER_PER_QUESTION = "At most one answer per question_id (a repeated one is 422)"


def require_one_answer_per_question(question_ids: Iterable[str]) -> None:
    """Raise a 422 naming the first question answered twice."""
    seen: set[str] = set()
    for question_id in question_ids:
        if question_id in seen:
            raise ServiceError(
                HTTPStatus.UNPROCESSABLE_ENTITY.value, f"question {question_id!r} is answered more than once"
            )
        seen.add(question_id)
