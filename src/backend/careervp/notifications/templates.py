"""Notification templates as data, rendered without I/O: a subject, a text body and an HTML body per kind.

Values fill `$placeholders` (`string.Template`); HTML escapes them, so a value never becomes markup. Every
placeholder must be given and nothing else may be, so a typo fails the render instead of sending `$name`.
"""

from __future__ import annotations

import html
import string
from dataclasses import dataclass


class TemplateError(ValueError):
    """A render asked for an unknown template, or gave the wrong values."""


@dataclass(frozen=True)
class Template:
    subject: str
    text: str
    html: str

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(
            name
            for part in (self.subject, self.text, self.html)
            for name in string.Template(part).get_identifiers()
        )


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


TEMPLATES: dict[str, Template] = {
    "gap-analysis-ready": Template(
        subject="Your CareerVP gap analysis is ready",
        text="Hello $name,\n\nYour gap analysis $analysis_id is ready: $link\n\nCareerVP",
        html="<p>Hello $name,</p><p>Your gap analysis <b>$analysis_id</b> is ready: "
        '<a href="$link">open it</a>.</p><p>CareerVP</p>',
    ),
    "smoke-test": Template(
        subject="CareerVP notification check $run",
        text="This message checks that CareerVP notifications are delivered (run $run).",
        html="<p>This message checks that CareerVP notifications are delivered (run <code>$run</code>).</p>",
    ),
}


def render(name: str, values: dict[str, str]) -> RenderedMessage:
    """The template `name` filled with `values` (escaped in the HTML body)."""
    template = TEMPLATES.get(name)
    if template is None:
        raise TemplateError(f"no notification template {name!r}; known: {', '.join(sorted(TEMPLATES))}")
    missing = sorted(template.placeholders - values.keys())
    unknown = sorted(values.keys() - template.placeholders)
    if missing or unknown:
        problems = [
            f"{label} {', '.join(keys)}"
            for label, keys in (("missing", missing), ("unknown", unknown))
            if keys
        ]
        raise TemplateError(f"template {name!r}: {'; '.join(problems)}")
    escaped = {key: html.escape(value, quote=True) for key, value in values.items()}
    return RenderedMessage(
        subject=string.Template(template.subject).substitute(values),
        text=string.Template(template.text).substitute(values),
        html=string.Template(template.html).substitute(escaped),
    )
