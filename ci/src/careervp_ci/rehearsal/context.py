"""What a stand-in works on: the job that runs it, the run it belongs to, and how it refuses."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

GITHUB = {
    "repository": "careervp/careervp",
    "repository_owner": "careervp",
    "run_id": "4242",
    "run_number": "17",
    "run_attempt": "1",
    "actor": "rehearsal-maintainer",
    "triggering_actor": "rehearsal-maintainer",
    "server_url": "https://github.com",
    "api_url": "https://api.github.com",
    "token": "rehearsal-github-token",
}
"""The `github.*` values of the run that a step or an action's default can read (`${{ github.token }}`,
`$GITHUB_ACTOR`, ...), as the rehearsal's runner sets them; values GitHub would give a real run."""


class StepFailed(Exception):
    """A stand-in refused, as the action would have."""


@dataclass
class Job:
    """What a stand-in may read and change of the job that runs it."""

    workflow: str
    name: str
    workspace: Path
    env: dict[str, str]
    permissions: Mapping[str, str]
    environment: str
    outputs: dict[str, str] = field(default_factory=dict)

    def grants(self, scope: str, *levels: str) -> bool:
        """Whether the job's token has `scope` at one of `levels` (`write` also reads)."""
        granted = self.permissions.get(scope)
        return granted in levels or ("read" in levels and granted == "write")


@dataclass
class Run:
    """State that outlives a job the way it does on GitHub: the repository, artifacts, attestations."""

    repo: Path
    sha: str
    ref: str
    base_sha: str
    artifacts: Path
    attestations: Path
    engine_version: str
    emulator_credentials: Mapping[str, str]
    github: Mapping[str, str] = field(default_factory=lambda: dict(GITHUB))


def warn(action: str, message: str) -> None:
    """What the action prints as a warning annotation: the step goes on."""
    print(f"warning: {action}: {message}", file=sys.stderr, flush=True)
