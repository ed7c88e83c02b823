"""Flake control: the random-order seed is printed and can be pinned; only tests marked flaky are retried,
and every retry is reported."""

from __future__ import annotations

from pathlib import Path

from support.fixture_project import CliRunner, write

FLAKY_TEST = """\
import os
from pathlib import Path

import pytest


@pytest.mark.flaky(reruns=2)
def test_eventually_passes() -> None:
    marker = Path(os.environ["FLAKE_MARKER"])
    if not marker.exists():
        marker.write_text("failed once")
        raise AssertionError("first attempt fails")
"""

UNMARKED_FAILING_ONCE = FLAKY_TEST.replace("@pytest.mark.flaky(reruns=2)\n", "")


def test_a_flaky_marked_test_is_retried_and_the_retry_is_reported(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    write(fixture_tree, "tests/unit/test_flaky.py", FLAKY_TEST)
    env = {"FLAKE_MARKER": str(fixture_tree.parent / "marker")}
    result = careervp_ci("test", "--suite", "unit", cwd=fixture_tree, env=env)
    assert result.returncode == 0, result.stdout
    assert "note: unit: retried flaky test tests/unit/test_flaky.py::test_eventually_passes" in result.stdout


def test_an_unmarked_test_is_not_retried(fixture_tree: Path, careervp_ci: CliRunner) -> None:
    write(fixture_tree, "tests/unit/test_flaky.py", UNMARKED_FAILING_ONCE)
    env = {"FLAKE_MARKER": str(fixture_tree.parent / "marker")}
    result = careervp_ci("unit", cwd=fixture_tree, env=env)
    assert result.returncode == 1
    assert "retried" not in result.stdout


def test_the_seed_is_printed_and_pinned_by_option_or_environment(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    by_option = careervp_ci("unit", "--seed", "1234", cwd=fixture_tree)
    assert "random-order seed 1234 (replay with --seed 1234 or CAREERVP_SEED=1234)" in by_option.stdout
    by_env = careervp_ci("unit", "--no-cache", cwd=fixture_tree, env={"CAREERVP_SEED": "99"})
    assert "random-order seed 99" in by_env.stdout
    assert 'name="pytest" errors="0" failures="0"' in (fixture_tree / ".reports/unit/junit.xml").read_text()


def test_a_malformed_seed_fails_with_the_bad_value(fixture_tree: Path, careervp_ci: CliRunner) -> None:
    result = careervp_ci("unit", "--no-cache", cwd=fixture_tree, env={"CAREERVP_SEED": "abc"})
    assert result.returncode == 1
    assert "seed must be a non-negative integer, got 'abc'" in result.stdout
