"""The default environment variables GitHub's runner gives every `run:` step, from the run's `github` context.

GitHub documents each `GITHUB_*` default as the similarly named `github.*` property ("Variables reference",
Default environment variables), so both come from one table: a script reading `$GITHUB_ACTOR` sees what an
expression reading `${{ github.actor }}` sees. A default our code reads but this table leaves out would read
empty here and set on GitHub; tests hold the table to every name the pipeline reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

FROM_CONTEXT = (
    "actor",
    "api_url",
    "event_name",
    "ref",
    "ref_name",
    "repository",
    "repository_owner",
    "run_attempt",
    "run_id",
    "run_number",
    "server_url",
    "sha",
    "triggering_actor",
    "workflow_ref",
)
"""`github.<name>` properties GitHub also exports as `GITHUB_<NAME>`."""


def default_variables(github: Mapping[str, Any], *, job: str, workspace: Path, temp: Path) -> dict[str, str]:
    """What GitHub sets before a step runs (GITHUB_OUTPUT and the step's other files are set per step)."""
    return {
        **{f"GITHUB_{name.upper()}": str(github[name]) for name in FROM_CONTEXT},
        "GITHUB_JOB": job,
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        "RUNNER_TEMP": str(temp),
    }
