"""Shared fixtures for the pipeline's own tests: a small project tree and a way to run `careervp-ci` on it
as a real subprocess (its own cache folder, no GitHub summary leaking in from the environment)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from support.fixture_project import CliRunner, make_project


@pytest.fixture
def fixture_tree(tmp_path: Path) -> Path:
    """A freshly committed CareerVP-shaped project (see support/fixture_project.py)."""
    project: Path = make_project(tmp_path / "project")
    return project


@pytest.fixture
def careervp_ci(tmp_path: Path) -> CliRunner:
    """Run `careervp-ci ARGS` in a tree with a private result cache; returns the finished process."""
    cache = tmp_path / "cache"

    def run(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        environment = {
            k: v for k, v in os.environ.items() if k not in {"GITHUB_STEP_SUMMARY", "CAREERVP_SEED"}
        }
        environment.update({"CAREERVP_CACHE_DIR": str(cache), **(env or {})})
        return subprocess.run(
            [sys.executable, "-m", "careervp_ci.host.cli", *args],
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run
