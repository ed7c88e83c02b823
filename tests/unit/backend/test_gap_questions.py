from __future__ import annotations

from careervp.gap.questions import MAX_QUESTIONS, analyse, analysis_id
from careervp.gap.skills import SKILLS

CV = "Backend engineer. Python and PostgreSQL on AWS Lambda. Led a team of four."
JOB = "We want Kubernetes and Python experience, Terraform, CI/CD pipelines, and C# or .NET. AWS a plus."


def test_questions_cover_skills_the_job_asks_for_that_the_cv_lacks_in_job_order() -> None:
    analysis = analyse(CV, JOB)

    assert [question.skill for question in analysis.questions] == ["Kubernetes", "Terraform", "CI/CD", "C#"]
    assert analysis.matched_skills == ("Python", "AWS")


def test_same_inputs_give_identical_questions_and_ids() -> None:
    assert analyse(CV, JOB) == analyse(CV, JOB)
    assert analyse(CV, JOB).analysis_id == analysis_id("  " + CV.upper(), JOB + "\n")


def test_different_inputs_give_a_different_analysis_id() -> None:
    assert analyse(CV, JOB).analysis_id != analyse(CV + " Terraform.", JOB).analysis_id


def test_question_ids_are_stable_slugs_of_the_skill() -> None:
    ids = [question.question_id for question in analyse(CV, JOB).questions]

    assert ids == ["gap-kubernetes", "gap-terraform", "gap-ci-cd", "gap-csharp"]


def test_skill_is_matched_as_a_whole_word_only() -> None:
    analysis = analyse("I enjoy gardening and javascript-free pages.", "Go and Java required.")

    assert [question.skill for question in analysis.questions] == ["Java"]


def test_a_cv_covering_the_job_gets_no_questions() -> None:
    assert analyse("Python, Terraform and Kubernetes daily.", "Python, Terraform, Kubernetes").questions == ()


def test_questions_are_capped() -> None:
    job = ", ".join(spellings[0] for spellings in SKILLS.values())

    assert len(analyse("nothing relevant", job).questions) == MAX_QUESTIONS
