"""pytest's JUnit report read back: which tests ran, and why each failing one failed.

The report is the run's record independent of terminal width: pytest's short summary drops a failure's
message when the test id alone fills the line (80 columns where there is no terminal), the report never.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

MESSAGE_LIMIT = 300


def test_ids(junit: Path, src: Path) -> list[str]:
    """The pytest ids of every test in the report; the full run's list of tests, so a test file whose every
    test is skipped is not even imported."""
    return [test for test, _ in _cases(junit, src)]


def failure_messages(junit: Path, src: Path) -> dict[str, str]:
    """Test id -> the first line of its failure or error message (cut at MESSAGE_LIMIT characters)."""
    messages = {}
    for test, case in _cases(junit, src):
        verdict = case.find("failure")
        verdict = case.find("error") if verdict is None else verdict
        message = (verdict.get("message") or "").strip() if verdict is not None else ""
        if message:
            messages[test] = message.splitlines()[0][:MESSAGE_LIMIT]
    return messages


def _cases(junit: Path, src: Path) -> list[tuple[str, ElementTree.Element]]:
    """Each testcase with its pytest id: `classname` is the module path, then any class."""
    if not junit.is_file():
        return []
    found = []
    for case in ElementTree.parse(junit).iter("testcase"):  # noqa: S314  (pytest's own report, just written)
        parts = case.get("classname", "").split(".")
        cut = next((i for i in range(len(parts), 0, -1) if (src / f"{'/'.join(parts[:i])}.py").is_file()), 0)
        if cut:
            found.append(
                ("::".join([f"{'/'.join(parts[:cut])}.py", *parts[cut:], case.get("name", "")]), case)
            )
    return found
