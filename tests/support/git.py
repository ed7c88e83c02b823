"""git for tests that build small repositories: one identity, output returned, failures raised."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

GIT = shutil.which("git") or "git"
"""Resolved at import: a test may take git off PATH to show the code under test never runs it."""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        [GIT, "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()
