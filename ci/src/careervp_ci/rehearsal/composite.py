"""A composite action of this repository as the runner reads it: `$/.github/actions/NAME` (GitHub's
self-repository form, which zizmor asks for) from the repository at the workflow's own commit,
`./.github/actions/NAME` from the job's workspace (so only after a checkout); `runs.using: composite`, its
inputs with their defaults, and the contexts its steps may read (`inputs`, its own `steps`, `env`, `github`;
no `secrets`, `vars` or `needs`). The runner's rules: src/Runner.Worker/action_yaml.json (a composite `run`
step requires `shell`) and src/Runner.Worker/Handlers/CompositeActionHandler.cs (the steps in order).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs

from careervp_ci.rehearsal.context import StepFailed
from careervp_ci.rehearsal.expressions import ExpressionError
from careervp_ci.rehearsal.facts import Input, InputError, as_text, runner_inputs

LOCAL = ("$/", "./")
SHELLS = ("bash",)
"""The shells rehearsed: GitHub runs `bash` as `bash --noprofile --norc -eo pipefail {0}`, as here."""
HIDDEN = ("secrets", "vars", "needs")
"""Contexts a composite action cannot read (its caller passes what it needs as inputs)."""

Lookup = Callable[[Sequence[str]], Any]


@dataclass(frozen=True)
class Composite:
    uses: str
    declared: Mapping[str, Mapping[str, Any]]
    steps: Sequence[Mapping[str, Any]]
    outputs: Mapping[str, Mapping[str, Any]]

    def inputs(self, given: Mapping[str, Any], default: Callable[[str], str]) -> dict[str, str]:
        """The inputs its steps see, handed over as to any action (`facts.runner_inputs`)."""
        declared = {
            key: Input(as_text(spec["default"]) if "default" in spec else None, bool(spec.get("required")))
            for key, spec in self.declared.items()
        }
        try:
            return runner_inputs(self.uses, declared, given, default)
        except InputError as error:
            raise StepFailed(str(error)) from None


def is_local(uses: str) -> bool:
    return uses.startswith(LOCAL)


def load(uses: str, *, workspace: Path, repo: Path, sha: str) -> Composite:
    """The action `uses` names (`$/`: the repository at the workflow's commit `sha`; `./`: the checked-out
    workspace); anything but a composite action is refused."""
    folder = uses.removeprefix("$/").removeprefix("./").rstrip("/")
    texts = [_read(uses, f"{folder}/{name}", workspace, repo, sha) for name in ("action.yml", "action.yaml")]
    text = next((found for found in texts if found is not None), None)
    if text is None:
        hint = (
            "did the job check out the repository (actions/checkout) before using a local action?"
            if uses.startswith("./")
            else f"the workflow's commit {sha[:12]} has no such folder"
        )
        raise StepFailed(f"Can't find 'action.yml' or 'action.yaml' under {uses!r}: {hint}")
    document = yaml.safe_load(text) or {}
    runs = document.get("runs") or {}
    if runs.get("using") != "composite":
        raise StepFailed(f"{uses}: runs.using is {runs.get('using')!r}; only composite actions are rehearsed")
    steps = runs.get("steps") or []
    for index, step in enumerate(steps):
        if "run" in step and step.get("shell") not in SHELLS:
            raise StepFailed(
                f"{uses}, step {index + 1}: a composite `run` step needs `shell:` "
                f"(rehearsed: {', '.join(SHELLS)}), got {step.get('shell')!r}"
            )
    return Composite(uses, document.get("inputs") or {}, steps, document.get("outputs") or {})


def _read(uses: str, path: str, workspace: Path, repo: Path, sha: str) -> str | None:
    if uses.startswith("./"):
        file = workspace / path
        return file.read_text(encoding="utf-8") if file.is_file() else None
    shown = subprocess.run(
        ["git", "-C", str(repo), "show", f"{sha}:{path}"], capture_output=True, text=True, check=False
    )
    return shown.stdout if shown.returncode == 0 else None


def lookup(
    action: Composite,
    inputs: Mapping[str, str],
    env: Mapping[str, str],
    steps: Mapping[str, Any],
    outer: Lookup,
) -> Lookup:
    """The contexts of one step of the action: its inputs and steps, the step's env, the run's github."""

    def read(path: Sequence[str]) -> Any:
        head, rest = path[0], list(path[1:])
        if head in HIDDEN:
            raise ExpressionError(f"{action.uses} reads {'.'.join(path)}: a composite action has no {head}")
        if head == "inputs" and len(rest) == 1:
            if rest[0] not in inputs:
                raise ExpressionError(f"{action.uses} reads inputs.{rest[0]}, which its action.yml lacks")
            return inputs[rest[0]]
        if head == "env" and len(rest) == 1:
            return env.get(rest[0], "")
        if head == "steps" and len(rest) == 3 and rest[1] == "outputs":
            if rest[0] not in steps:
                raise ExpressionError(
                    f"{action.uses} reads steps.{rest[0]}, which has not run (or has no id)"
                )
            return steps[rest[0]]["outputs"].get(rest[2], "")
        if head == "steps" and len(rest) == 2 and rest[1] in ("outcome", "conclusion"):
            return steps.get(rest[0], {}).get(rest[1], "skipped")
        return outer(path)

    return read
