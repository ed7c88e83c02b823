"""Notification templates render without I/O: every placeholder filled, values escaped in HTML only, and a
wrong set of values refused by name rather than sent with a `$placeholder` in it."""

from __future__ import annotations

import pytest
from careervp.notifications.templates import TEMPLATES, TemplateError, render

READY = {"name": "Ada", "analysis_id": "ga-1", "link": "https://app.careervp.app/gap/ga-1"}


def test_render_fills_subject_text_and_html() -> None:
    message = render("gap-analysis-ready", READY)

    assert message.subject == "Your CareerVP gap analysis is ready"
    assert message.text.startswith("Hello Ada,\n\nYour gap analysis ga-1 is ready: https://app.careervp.app")
    assert '<a href="https://app.careervp.app/gap/ga-1">open it</a>' in message.html


def test_values_are_escaped_in_html_and_left_as_written_in_text() -> None:
    message = render("gap-analysis-ready", {**READY, "name": '<script>alert("x")</script>'})

    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in message.html
    assert 'Hello <script>alert("x")</script>,' in message.text


def test_a_dollar_sign_in_a_value_is_not_read_as_a_placeholder() -> None:
    message = render("smoke-test", {"run": "$name"})

    assert message.subject == "CareerVP notification check $name"


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"name": "Ada", "link": "x"}, "missing analysis_id"),
        ({**READY, "nmae": "typo"}, "unknown nmae"),
        ({"name": "Ada"}, "missing analysis_id, link"),
    ],
)
def test_wrong_values_are_refused_by_name(values: dict[str, str], problem: str) -> None:
    with pytest.raises(TemplateError, match=problem):
        render("gap-analysis-ready", values)


def test_an_unknown_template_names_the_known_ones() -> None:
    with pytest.raises(TemplateError, match="no notification template 'welcome'; known: gap-analysis-ready"):
        render("welcome", {})


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_renders_with_exactly_its_placeholders(name: str) -> None:
    template = TEMPLATES[name]
    message = render(name, {key: f"<{key}>" for key in template.placeholders})

    for part in (message.subject, message.text, message.html):
        assert "$" not in part
