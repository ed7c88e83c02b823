"""Every imported third-party package is declared where it is imported: deptry (DEP001 missing, DEP003 only
transitive) over the workspace root (src/, infra/, tests/, bench/) and over careervp-ci (ci/), each against
its own pyproject.toml. `pyyaml`, imported by ci/ and the tests, was once declared nowhere."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("project", "sources"), [(REPOSITORY, "."), (REPOSITORY / "ci", "src")], ids=["workspace", "careervp-ci"]
)
def test_every_imported_package_is_declared(project: Path, sources: str) -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "deptry", sources, "--no-ansi"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "No dependency issues found" in checked.stdout + checked.stderr
