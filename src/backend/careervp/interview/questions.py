"""Behavioural interview questions for a role, chosen from what its job description asks for.

Pure and deterministic: the same role and description give the same questions, in the order the
description first mentions each competency; competencies it does not mention fill the rest in a fixed order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Competency:
    name: str
    cues: tuple[str, ...]
    """Word stems in a job description that ask for it."""
    question: str
    """The question, with `{role}` for the role."""


COMPETENCIES: tuple[Competency, ...] = (
    Competency(
        "leadership",
        ("lead", "mentor", "manag", "own"),
        "Tell me about a time you led others through a hard piece of work as a {role}.",
    ),
    Competency(
        "collaboration",
        ("team", "stakeholder", "cross-functional", "collaborat", "partner"),
        "Describe a time you had to work closely with people who disagreed with you as a {role}.",
    ),
    Competency(
        "problem solving",
        ("debug", "solv", "troubleshoot", "incident", "optimi", "analy"),
        "Walk me through the hardest problem you have solved as a {role}.",
    ),
    Competency(
        "delivery",
        ("deliver", "deadline", "ship", "launch", "release"),
        "Tell me about a time you delivered under a tight deadline as a {role}.",
    ),
    Competency(
        "communication",
        ("communicat", "present", "writ", "document", "explain"),
        "Describe a time you explained something complex to a non-expert as a {role}.",
    ),
    Competency(
        "adaptability",
        ("learn", "adapt", "change", "fast-paced", "ambigu"),
        "Tell me about a time you had to learn something new quickly as a {role}.",
    ),
    Competency(
        "customer focus",
        ("customer", "user", "client"),
        "Describe a time you changed your plan because of what a customer needed as a {role}.",
    ),
    Competency(
        "quality",
        ("test", "quality", "review", "reliab", "secur"),
        "Tell me about a time you caught a serious problem before it reached users as a {role}.",
    ),
    Competency(
        "conflict",
        ("conflict", "negotiat", "influenc", "persuad"),
        "Describe a disagreement you resolved without escalating it as a {role}.",
    ),
    Competency(
        "failure",
        ("ownership", "accountab", "retro", "improv"),
        "Tell me about a mistake you made as a {role} and what you changed afterwards.",
    ),
)


@dataclass(frozen=True)
class PreparedQuestion:
    question_id: str
    competency: str
    question: str


def _first_mention(competency: Competency, text: str) -> int | None:
    positions = [match.start() for cue in competency.cues for match in re.finditer(rf"\b{cue}", text)]
    return min(positions) if positions else None


def prepare(role: str, job_description: str, count: int) -> list[PreparedQuestion]:
    """`count` questions (1 to the number of competencies): those the description asks for first."""
    if not 1 <= count <= len(COMPETENCIES):
        raise ValueError(f"count must be between 1 and {len(COMPETENCIES)}, got {count}")
    text = job_description.lower()
    mentioned = sorted(
        (
            (position, index)
            for index, c in enumerate(COMPETENCIES)
            if (position := _first_mention(c, text)) is not None
        )
    )
    order = [index for _, index in mentioned]
    order += [index for index in range(len(COMPETENCIES)) if index not in order]
    role_text = " ".join(role.split())
    return [
        PreparedQuestion(
            f"q{number}", COMPETENCIES[index].name, COMPETENCIES[index].question.format(role=role_text)
        )
        for number, index in enumerate(order[:count], start=1)
    ]
