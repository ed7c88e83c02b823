"""The facts about each pinned action (`actions.json`, read from the action's repository at the pinned SHA)
and the inputs a `with:` block hands it, the way the runner and `@actions/core` do.

The stand-ins take an action's known inputs and defaults from here, never from their own code, so a `with:`
key the action lacks, a required input left out, or a pin moved to a SHA nobody has read stops the rehearsal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

SHA = re.compile(r"[0-9a-f]{40}")
CONTEXT_DEFAULT = re.compile(r"\$\{\{\s*github\.(\w+)\s*\}\}")
TRUE, FALSE = ("true", "True", "TRUE"), ("false", "False", "FALSE")
"""What `core.getBooleanInput` accepts (YAML 1.2 core schema); anything else makes it throw."""


class InputError(ValueError):
    """A `with:` block the pinned action would not accept, or a pin the table does not know."""


@dataclass(frozen=True)
class Input:
    default: str | None
    required: bool


def runner_inputs(
    owner: str, declared: Mapping[str, Input], given: Mapping[str, Any], default: Callable[[str], str]
) -> dict[str, str]:
    """How the runner hands any action (pinned or local) its `with:`: every given value as text, each absent
    one's default (`default` evaluates its `${{ }}`), an absent one without a default empty. A key given empty
    stays empty (the runner defaults only an absent key). Stricter than the runner, which only warns: a key
    the action.yml does not declare, or a required input with no value and no default, fails."""
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise InputError(
            f"{owner} has no input {', '.join(map(repr, unknown))}; its inputs are: "
            f"{', '.join(declared) or '(none)'}"
        )
    values = {key: as_text(value) for key, value in given.items()}
    for key, spec in declared.items():
        if key in values:
            continue
        if spec.default is None and spec.required:
            raise InputError(f"{owner}: required input {key!r} is missing")
        values[key] = "" if spec.default is None else default(spec.default)
    return values


@dataclass(frozen=True)
class Action:
    """One action at one SHA: what its action.yml declares and what its code does that can change a job."""

    name: str
    sha: str
    tag: str
    inputs: Mapping[str, Input]
    outputs: tuple[str, ...]
    libraries: Mapping[str, str]
    behaviours: tuple[str, ...]

    def resolve(self, given: Mapping[str, Any], github: Mapping[str, str]) -> dict[str, str]:
        """The inputs the action sees, as the runner hands them over (`runner_inputs`)."""

        def default(text: str) -> str:
            return CONTEXT_DEFAULT.sub(lambda m: _context(m.group(1), github, self.name), text)

        return runner_inputs(f"{self.name}@{self.tag}", self.inputs, given, default)

    def boolean(self, inputs: Mapping[str, str], key: str) -> bool:
        """An input read with `core.getBooleanInput`, which refuses anything but the six spellings."""
        value = inputs[key]
        if value in TRUE or value in FALSE:
            return value in TRUE
        raise InputError(
            f"{self.name}@{self.tag}: input {key!r} is {value!r}, but the action reads it as a boolean "
            "(true | True | TRUE | false | False | FALSE)"
        )


def _context(name: str, github: Mapping[str, str], action: str) -> str:
    if name not in github:
        raise InputError(f"{action}: a default reads github.{name}, which the rehearsal does not provide")
    return github[name]


def as_text(value: Any) -> str:
    """A `with:` value as the action receives it: the runner hands every input over as a string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@cache
def table() -> dict[str, Action]:
    """`actions.json`, the committed facts, by action name (owner/repo or owner/repo/path)."""
    document = json.loads(resources.files(__package__).joinpath("actions.json").read_text(encoding="utf-8"))
    return {
        name: Action(
            name=name,
            sha=entry["sha"],
            tag=entry["tag"],
            inputs={key: Input(spec["default"], spec["required"]) for key, spec in entry["inputs"].items()},
            outputs=tuple(entry["outputs"]),
            libraries=entry["libraries"],
            behaviours=tuple(entry["behaviours"]),
        )
        for name, entry in document["actions"].items()
    }


def pinned(uses: str) -> Action:
    """The facts for a `uses:` value, which must pin the SHA the table was read at."""
    name, _, ref = uses.partition("@")
    facts = table().get(name)
    if facts is None:
        raise InputError(
            f"`uses: {uses}`: {name} has no entry in careervp_ci/rehearsal/actions.json; read its action.yml "
            "at the pinned SHA and add one"
        )
    if ref != facts.sha:
        raise InputError(
            f"`uses: {uses}`: actions.json holds {name} at {facts.sha} ({facts.tag}), "
            f"not {ref or 'unpinned'}; "
            "pin that SHA, or read the action at the new one and update its entry"
        )
    return facts
