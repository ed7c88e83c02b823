"""Derives gap-analysis questions from a CV and a job description, deterministically.

A skill is "asked for" when the job description mentions any of its spellings as whole words, and "shown" when
the CV does. Every skill asked for but not shown becomes one question, in the order the job description first
mentions it; the same inputs always give the same questions, ids and analysis id.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from careervp.gap.skills import SKILLS

MAX_QUESTIONS = 10


@dataclass(frozen=True)
class GapQuestion:
    question_id: str
    skill: str
    question: str


@dataclass(frozen=True)
class GapAnalysis:
    analysis_id: str
    matched_skills: tuple[str, ...]
    questions: tuple[GapQuestion, ...]


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


@cache
def _spelling_pattern(spelling: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w#/.&+-]){re.escape(spelling)}(?![\w#/&+-])")


def _first_mention(text: str, spellings: tuple[str, ...]) -> int | None:
    positions = [
        match.start() for spelling in spellings if (match := _spelling_pattern(spelling).search(text))
    ]
    return min(positions) if positions else None


def _slug(skill: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", skill.lower().replace("#", "sharp")).strip("-")


def _question_for(skill: str) -> GapQuestion:
    return GapQuestion(
        question_id=f"gap-{_slug(skill)}",
        skill=skill,
        question=(
            f"The role asks for {skill}, which your CV does not mention. Describe a time you used {skill} "
            "(or the closest thing you have done), what you did yourself, and the outcome."
        ),
    )


def analysis_id(cv: str, job_description: str) -> str:
    """A stable id for the (CV, job description) pair, so answers can refer to the analysis they address."""
    digest = hashlib.sha256(f"{_normalise(cv)}\x00{_normalise(job_description)}".encode()).hexdigest()
    return f"ga-{digest[:24]}"


def analyse(cv: str, job_description: str) -> GapAnalysis:
    cv_text, job_text = _normalise(cv), _normalise(job_description)
    asked = sorted(
        (position, skill)
        for skill, spellings in SKILLS.items()
        if (position := _first_mention(job_text, spellings)) is not None
    )
    shown = [skill for _, skill in asked if _first_mention(cv_text, SKILLS[skill]) is not None]
    missing = [skill for _, skill in asked if skill not in shown]
    return GapAnalysis(
        analysis_id=analysis_id(cv, job_description),
        matched_skills=tuple(shown),
        questions=tuple(_question_for(skill) for skill in missing[:MAX_QUESTIONS]),
    )
