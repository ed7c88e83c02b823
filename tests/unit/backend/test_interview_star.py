from __future__ import annotations

from careervp.interview.models import InterviewQuestion, StarAnswer
from careervp.interview.star import format_star, render_report, tips

QUESTIONS = [
    InterviewQuestion(question_id="q1", competency="leadership", question="Tell me about leading."),
    InterviewQuestion(question_id="q2", competency="delivery", question="Tell me about a deadline."),
]
GOOD = StarAnswer(
    question_id="q1",
    situation="Our  release\nwas late.",
    task="Ship it.",
    action="I split the work.",
    result="Shipped 2 days early.",
)
VAGUE = StarAnswer(
    question_id="q2", situation="S.", task="T.", action="We worked hard.", result="It went well."
)


def test_an_answer_is_formatted_situation_task_action_result_in_order() -> None:
    text = format_star(1, QUESTIONS[0], GOOD)
    lines = text.splitlines()
    assert lines[0] == "### 1. Tell me about leading."
    assert [line.split(":**")[0] for line in lines[3:]] == [
        "- **Situation",
        "- **Task",
        "- **Action",
        "- **Result",
    ]
    assert "- **Situation:** Our release was late." in lines


def test_a_complete_star_answer_gets_no_tips() -> None:
    assert tips(QUESTIONS[0], GOOD) == []


def test_a_result_without_a_number_and_an_action_without_i_get_a_tip_each() -> None:
    assert tips(QUESTIONS[1], VAGUE) == [
        "q2: quantify the result (a number, a percentage, a time saved)",
        "q2: tell the action as what you did ('I ...'), not only 'we'",
    ]


def test_the_report_lists_answers_in_question_order_then_open_questions_then_tips() -> None:
    report, found = render_report("pm", QUESTIONS, {"q1": GOOD})
    assert report.startswith("# Interview preparation: pm\n")
    assert report.index("### 1. Tell me about leading.") < report.index("## Not answered yet")
    assert "- 2. Tell me about a deadline." in report
    assert "## Tips" not in report and found == []
    full, found = render_report("pm", QUESTIONS, {"q1": GOOD, "q2": VAGUE})
    assert "## Not answered yet" not in full
    assert full.endswith("- q2: tell the action as what you did ('I ...'), not only 'we'\n")
    assert len(found) == 2
