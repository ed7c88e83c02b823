"""The rule every answers payload shares (gap analysis, interview prep): one answer per question."""

from __future__ import annotations

from collections.abc import Iterable


def require_one_answer_per_question(question_ids: Iterable[str]) -> None:
    """Raise ValueError (a 400 at the API edge) naming the first question answered twice."""
    seen: set[str] = set()
    for question_id in question_ids:
        if question_id in seen:
            raise ValueError(f"question {question_id!r} is answered more than once")
        seen.add(question_id)
