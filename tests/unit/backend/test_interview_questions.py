from __future__ import annotations

import pytest
from careervp.interview.questions import COMPETENCIES, prepare


def test_questions_follow_the_order_the_description_asks_for_competencies() -> None:
    questions = prepare("data engineer", "Write clear documentation. Debug pipelines. Lead the team.", 3)
    assert [q.competency for q in questions] == ["communication", "problem solving", "leadership"]
    assert [q.question_id for q in questions] == ["q1", "q2", "q3"]


def test_competencies_the_description_does_not_mention_fill_the_rest_in_catalogue_order() -> None:
    questions = prepare("designer", "Customers first.", 3)
    assert [q.competency for q in questions] == ["customer focus", "leadership", "collaboration"]


def test_the_role_is_named_in_each_question_with_its_whitespace_collapsed() -> None:
    (question,) = prepare("  site   reliability engineer ", "Handle incidents.", 1)
    assert (
        question.question
        == "Walk me through the hardest problem you have solved as a site reliability engineer."
    )


def test_the_same_input_gives_the_same_questions() -> None:
    assert prepare("pm", "Ship on deadlines.", 5) == prepare("pm", "Ship on deadlines.", 5)


def test_cues_match_word_starts_only() -> None:
    (question,) = prepare("pm", "A flowing river of tickets.", 1)  # 'own' inside 'flowing' is not ownership
    assert question.competency == "leadership"  # the catalogue's first, not a match
    (matched,) = prepare("pm", "You will own the roadmap and test it.", 1)
    assert matched.competency == "leadership"


@pytest.mark.parametrize("count", [0, len(COMPETENCIES) + 1])
def test_a_count_outside_the_catalogue_is_refused_naming_the_range(count: int) -> None:
    with pytest.raises(ValueError, match=f"between 1 and {len(COMPETENCIES)}, got {count}"):
        prepare("pm", "anything", count)
