"""Reading a synthesized cloud assembly: which stack templates it holds, for which environment.

Stages put each environment's stack in a nested assembly (`assembly-<env>/`); this module follows the
manifests so callers never guess file names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class StackTemplate:
    """One stack of the assembly: where its template is and what it deploys as."""

    artifact_id: str
    stack_name: str
    template_path: Path

    def load(self) -> dict[str, Any]:
        template: dict[str, Any] = json.loads(self.template_path.read_text(encoding="utf-8"))
        return template


class AssemblyError(ValueError):
    """The folder is not a cloud assembly, or lacks the stack asked for."""


def stack_templates(assembly: Path) -> list[StackTemplate]:
    """Every CloudFormation stack in `assembly` and its nested assemblies, in manifest order."""
    manifest_path = assembly / MANIFEST
    if not manifest_path.is_file():
        raise AssemblyError(f"{assembly} is not a cloud assembly: {MANIFEST} is missing (synthesize first)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    found: list[StackTemplate] = []
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        properties = artifact.get("properties", {})
        if artifact.get("type") == "aws:cloudformation:stack":
            found.append(
                StackTemplate(
                    artifact_id=artifact_id,
                    stack_name=properties.get("stackName", artifact_id),
                    template_path=assembly / properties["templateFile"],
                )
            )
        elif artifact.get("type") == "cdk:cloud-assembly":
            found.extend(stack_templates(assembly / properties["directoryName"]))
    return found


def find_stack(assembly: Path, stack_name: str) -> StackTemplate:
    """The stack deployed as `stack_name`, or an error listing the stacks the assembly has."""
    stacks = stack_templates(assembly)
    for stack in stacks:
        if stack.stack_name == stack_name:
            return stack
    names = ", ".join(stack.stack_name for stack in stacks) or "none"
    raise AssemblyError(f"{assembly} has no stack named {stack_name!r}; it has: {names}")


def property_at(properties: Mapping[str, Any], path: Sequence[str], missing: object = None) -> Any:
    """A resource's property at `path` under its template `Properties` (e.g. `("Budget", "BudgetName")`);
    `missing` where the path leads nowhere (the naming gatekeeper and the replacement verdicts read it)."""
    value: Any = properties
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return missing
        value = value[key]
    return value
