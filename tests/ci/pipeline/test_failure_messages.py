"""A failing test's summary line carries its message even when its id fills pytest's 80-column line."""

from __future__ import annotations

from pathlib import Path

from support.fixture_project import CliRunner, write

LONG_NAMED_FAILURES = """\
import pytest


class TestAFailureWhoseIdAloneIsWiderThanTheTerminal:
    def test_independent_steps_run_in_parallel_and_one_of_them_raises_while_being_keyed(self) -> None:
        raise KeyError("a finder cache entry")


@pytest.fixture
def broken() -> None:
    raise RuntimeError("the fixture could not start its emulator")


def test_a_setup_error_is_reported_with_the_fixture_message_even_with_a_long_name(broken: None) -> None:
    pass
"""


def test_each_failure_line_names_the_test_and_what_it_raised(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    write(fixture_tree, "tests/unit/test_long_names.py", LONG_NAMED_FAILURES)
    result = careervp_ci("unit", "--no-cache", "--seed", "1", cwd=fixture_tree)
    assert result.returncode == 1
    test_file = "tests/unit/test_long_names.py"
    assert (
        f"FAILED {test_file}::TestAFailureWhoseIdAloneIsWiderThanTheTerminal::"
        "test_independent_steps_run_in_parallel_and_one_of_them_raises_while_being_keyed"
        " - KeyError: 'a finder cache entry'"
    ) in result.stdout
    assert (
        f"ERROR {test_file}::test_a_setup_error_is_reported_with_the_fixture_message_even_with_a_long_name"
        ' - failed on setup with "RuntimeError: the fixture could not start its emulator"'
    ) in result.stdout
