"""Templates as reviewable snapshots: normalized JSON, compared as a unified diff."""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

ASSET_HASH = re.compile(r"[0-9a-f]{64}")
VERSION_VARIABLE = "CAREERVP_VERSION"
UPDATE_VARIABLE = "CAREERVP_UPDATE_SNAPSHOTS"
MAX_DIFF_LINES = 80


def normalize(value: Any) -> Any:
    """The template with what changes on every code edit (asset hashes, package version) masked."""
    if isinstance(value, dict):
        return {
            key: "<version>" if key == VERSION_VARIABLE else normalize(item) for key, item in value.items()
        }
    if isinstance(value, list):
        return [normalize(item) for item in value]
    if isinstance(value, str):
        return ASSET_HASH.sub("<asset-hash>", value)
    return value


def render(template: Any) -> str:
    return json.dumps(normalize(template), indent=1, sort_keys=True) + "\n"


def diff(expected: str, actual: str, name: str) -> str:
    """A unified diff of two rendered snapshots (empty when equal), cut to a readable length."""
    lines = list(
        difflib.unified_diff(
            expected.splitlines(),
            actual.splitlines(),
            f"{name} (snapshot)",
            f"{name} (synthesized)",
            lineterm="",
        )
    )
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... {len(lines) - MAX_DIFF_LINES} more diff lines"]
    return "\n".join(lines)
