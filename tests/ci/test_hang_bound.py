"""A test that hangs fails naming itself, with its stack, instead of holding the run until CI's limit (the
project's pytest configuration loads pytest-timeout and bounds every test; a module marks a longer bound)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HANG = """\
import threading

import pytest


@pytest.mark.timeout(2)
def test_waits_forever() -> None:
    threading.Event().wait()  # what moto's server start did when its thread died
"""


def test_a_hanging_test_fails_naming_itself_under_the_projects_configuration(tmp_path: Path) -> None:
    (tmp_path / "test_hang.py").write_text(HANG)
    config = ["-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path), "-p", "no:cacheprovider"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *config, str(tmp_path / "test_hang.py"), "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Timeout (>2.0s) from pytest-timeout" in done.stdout
    assert "FAILED test_hang.py::test_waits_forever" in done.stdout
    assert "threading.Event().wait()" in done.stdout, "the stack shows where it hung"
