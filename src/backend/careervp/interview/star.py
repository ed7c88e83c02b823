"""STAR formatting: each answer as Situation, Task, Action, Result, and the report of a whole session.

Pure functions; the report is Markdown. The tips are what a reviewer of STAR answers would say first: a
result without a measurable outcome, or an action told as "we" with no "I" in it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from careervp.interview.models import InterviewQuestion, StarAnswer

PARTS = ("situation", "task", "action", "result")
_NUMBER = re.compile(r"\d")
_FIRST_PERSON = re.compile(r"\b(i|i'm|i've|my|me)\b", re.IGNORECASE)


def _clean(text: str) -> str:
    return " ".join(text.split())


def format_star(number: int, question: InterviewQuestion, answer: StarAnswer) -> str:
    """One answer as a Markdown section: the question, then its four STAR parts in order."""
    lines = [f"### {number}. {question.question}", f"_Competency: {question.competency}_", ""]
    lines += [f"- **{part.capitalize()}:** {_clean(getattr(answer, part))}" for part in PARTS]
    return "\n".join(lines)


def tips(question: InterviewQuestion, answer: StarAnswer) -> list[str]:
    """What to improve in one answer (empty when it reads as a complete STAR answer)."""
    found = []
    if not _NUMBER.search(answer.result):
        found.append(f"{question.question_id}: quantify the result (a number, a percentage, a time saved)")
    if not _FIRST_PERSON.search(answer.action):
        found.append(f"{question.question_id}: tell the action as what you did ('I ...'), not only 'we'")
    return found


def render_report(
    role: str, questions: Sequence[InterviewQuestion], answers: Mapping[str, StarAnswer]
) -> tuple[str, list[str]]:
    """The session as Markdown (answered questions in STAR form, then those still open) and its tips."""
    sections = [f"# Interview preparation: {_clean(role)}", ""]
    all_tips: list[str] = []
    open_questions = []
    for number, question in enumerate(questions, start=1):
        answer = answers.get(question.question_id)
        if answer is None:
            open_questions.append(f"- {number}. {question.question}")
            continue
        sections += [format_star(number, question, answer), ""]
        all_tips += tips(question, answer)
    if open_questions:
        sections += ["## Not answered yet", "", *open_questions, ""]
    if all_tips:
        sections += ["## Tips", "", *(f"- {tip}" for tip in all_tips), ""]
    return "\n".join(sections).rstrip() + "\n", all_tips
