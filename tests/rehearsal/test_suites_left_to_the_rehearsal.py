"""A session that rehearses every workflow leaves the suites the rehearsal runs whole to its containers; any
other session runs them on the host."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support.rehearsed_suites import REHEARSAL_FILE

ROOT = Path(__file__).resolve().parents[2]


def collected(*arguments: str) -> list[str]:
    """The node ids pytest would run for `arguments`, by this project's configuration."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_the_unit_suite_runs_on_the_host_unless_the_session_rehearses_every_workflow() -> None:
    alone = collected("tests/unit")
    assert alone, "tests/unit collected nothing"
    beside = collected("tests/unit", "tests/e2e", REHEARSAL_FILE)
    assert not [test for test in beside if test.startswith("tests/unit/")]
    assert [test for test in beside if test.startswith("tests/e2e/")], "no rehearsed gate runs tests/e2e"
    assert beside[0].startswith(REHEARSAL_FILE), "the rehearsal starts first"
    other_rehearsal_tests = collected("tests/unit", "tests/rehearsal/test_scenarios.py")
    assert sorted(test for test in other_rehearsal_tests if test.startswith("tests/unit/")) == sorted(
        alone
    ), "a session that does not rehearse every workflow runs every unit test"
