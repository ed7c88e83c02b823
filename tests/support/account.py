"""The account's stacks synthesized once for a test module, and a copy a test may plant problems in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from careervp_infra.account.assembly import synthesize_account
from careervp_infra.account.naming import Repository

REPOSITORY = "acme/careervp"


def synthesized(folder: Path) -> Path:
    return synthesize_account(folder, Repository.parse(REPOSITORY))


def planted_copy(assembly: Path, dest: Path) -> Path:
    """A copy of `assembly` whose templates a test may edit (`edit_template`)."""
    shutil.copytree(assembly, dest)
    return dest


def template_with(folder: Path, logical_id_prefix: str) -> tuple[Path, dict[str, Any]]:
    """The template in `folder` holding the resource whose logical id starts with `logical_id_prefix`."""
    for path in sorted(folder.glob("*.template.json")):
        template = json.loads(path.read_text(encoding="utf-8"))
        if any(logical_id.startswith(logical_id_prefix) for logical_id in template["Resources"]):
            return path, template
    raise AssertionError(f"no template in {folder} has a resource {logical_id_prefix}*")


def resource(template: dict[str, Any], logical_id_prefix: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        value for key, value in template["Resources"].items() if key.startswith(logical_id_prefix)
    )
    return found
