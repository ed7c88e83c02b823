"""A prompt as data: the system instructions and one user turn made of tagged sections.

Pure and deterministic. Text a person sent is data, never instructions: each goes into its own
`<name>...</name>` section, and any tag of the prompt's own sections inside such text is removed first, so
no input can close its section early and speak as the prompt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Prompt:
    system: str
    user: str

    @property
    def size_bytes(self) -> int:
        """UTF-8 bytes of everything sent: a bound on its input tokens (each token covers at least a byte)."""
        return len(self.system.encode()) + len(self.user.encode())


def _tags(names: Sequence[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(name) for name in names)
    return re.compile(rf"<\s*/?\s*(?:{alternatives})\s*>", re.IGNORECASE)


def sections(parts: Sequence[tuple[str, str]]) -> str:
    """The user turn: each `(name, text)` as a tagged section, in order, with the prompt's own tags
    removed from every text."""
    names = [name for name, _ in parts]
    if len(set(names)) != len(names) or not all(re.fullmatch(r"[a-z_]+", name) for name in names):
        raise ValueError(f"section names must be distinct lowercase words, got {names}")
    own = _tags(names)
    return "\n\n".join(f"<{name}>\n{own.sub('', text).strip()}\n</{name}>" for name, text in parts)


def bullet_list(items: Sequence[str], empty: str) -> str:
    return "\n".join(f"- {item}" for item in items) if items else empty
