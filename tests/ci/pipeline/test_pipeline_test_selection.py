"""The pipeline's own tests select by what they read: after a full pass, a change re-runs the tests that
read or executed it (in their process or in the Python processes they started) and those whose record is
opaque; test support and anything the record cannot name run them all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

from careervp_ci.pipeline.changes.reads_hook import HOOK_DIR, LOG_ENV, OUTER_ENV, ROOT_ENV, Reads, nested_env
from support.fixture_project import CliRunner, write

ROOT_PATH = "ROOT = Path(__file__).resolve().parents[2]\n"
READS_A = f"from pathlib import Path\n\n{ROOT_PATH}\n\ndef test_reads_a() -> None:\n"
READS_A += '    assert (ROOT / "docs/specs/a.json").read_text() == "{}\\n"\n'
READS_B = f"from pathlib import Path\n\n{ROOT_PATH}\n\ndef test_reads_b() -> None:\n"
READS_B += '    assert (ROOT / "docs/specs/b.json").read_text() == "{}\\n"\n'
RUNS_BACKEND = "from careervp.greeting import greet\n\n\ndef test_greets() -> None:\n"
RUNS_BACKEND += '    assert greet("ada") == "hello ada"\n'
CHILD = f"""\
import subprocess
import sys
from pathlib import Path

{ROOT_PATH}

def test_a_child_reads_c() -> None:
    read = "print(open('docs/specs/c.json').read())"
    assert subprocess.run([sys.executable, "-c", read], cwd=ROOT, check=True).returncode == 0
"""
OPAQUE = f"""\
import subprocess
from pathlib import Path

{ROOT_PATH}

def test_cat_reads_the_tree() -> None:
    assert subprocess.run(["cat", str(ROOT / "README.md")], check=False).returncode in (0, 1)
"""
TESTS = {
    "tests/ci/test_reads_a.py": READS_A,
    "tests/ci/test_reads_b.py": READS_B,
    "tests/ci/test_runs_backend.py": RUNS_BACKEND,
    "tests/ci/test_child.py": CHILD,
    "tests/ci/test_opaque.py": OPAQUE,
}


def ran(tree: Path) -> set[str]:
    junit = tree / ".reports/pipeline-tests/junit.xml"
    return {case.get("name", "") for case in ElementTree.parse(junit).iter("testcase")}  # noqa: S314


def test_a_change_reruns_the_tests_that_read_or_executed_it_and_the_opaque_ones(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    for name, text in TESTS.items():
        write(fixture_tree, name, text)
    for spec in "abc":
        write(fixture_tree, f"docs/specs/{spec}.json", "{}\n")
    first = careervp_ci("pipeline-tests", cwd=fixture_tree)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "no read map yet" in first.stdout
    assert len(ran(fixture_tree)) == len(TESTS)

    write(fixture_tree, "docs/specs/a.json", "{}\n\n")
    edited = careervp_ci("pipeline-tests", cwd=fixture_tree)
    assert edited.returncode == 1, "the test that reads the changed file runs, and fails"
    assert ran(fixture_tree) == {"test_reads_a", "test_cat_reads_the_tree"}
    assert "skipped 3 recorded test(s) that neither read nor executed them (1 opaque" in edited.stdout

    write(fixture_tree, "docs/specs/a.json", "{}\n")
    write(fixture_tree, "docs/specs/c.json", "[]\n")
    through_a_child = careervp_ci("pipeline-tests", cwd=fixture_tree)
    assert through_a_child.returncode == 0, through_a_child.stdout
    assert ran(fixture_tree) == {"test_a_child_reads_c", "test_cat_reads_the_tree"}

    greeting = fixture_tree / "src/backend/careervp/greeting.py"
    greeting.write_text(greeting.read_text().replace('f"hello {name}"', 'f"hi {name}"'))
    broken = careervp_ci("pipeline-tests", cwd=fixture_tree)
    assert broken.returncode == 1 and "test_greets" in broken.stdout
    assert "test_greets" in ran(fixture_tree) and "test_reads_b" not in ran(fixture_tree)

    write(fixture_tree, "tests/ci/conftest.py", '"""Shared fixtures."""\n')
    support = careervp_ci("pipeline-tests", cwd=fixture_tree)
    assert "full run: tests/ci/conftest.py was added or removed" in support.stdout
    assert len(ran(fixture_tree)) == len(TESTS)


def test_a_run_whose_cache_is_discarded_records_no_map(fixture_tree: Path, careervp_ci: CliRunner) -> None:
    """A Dagger job's cache dies with its container: recording there would cost time and serve no run."""
    write(fixture_tree, "tests/ci/test_reads_a.py", READS_A)
    write(fixture_tree, "tests/ci/test_reads_b.py", READS_B)
    for spec in "ab":
        write(fixture_tree, f"docs/specs/{spec}.json", "{}\n")
    discarded = {"CAREERVP_CACHE_DISCARDED": "1"}
    first = careervp_ci("pipeline-tests", cwd=fixture_tree, env=discarded)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "says the result cache dies with this run, so no map is kept" in first.stdout

    write(fixture_tree, "docs/specs/a.json", "{}\n\n")
    edited = careervp_ci("pipeline-tests", cwd=fixture_tree)
    assert "no read map yet" in edited.stdout, "the discarded run left no map behind"
    assert ran(fixture_tree) == {"test_reads_a", "test_reads_b"}


def recorder(tmp_path: Path) -> Reads:
    return Reads(str(tmp_path / "tree"), "log", lambda _: None)


def test_a_compiled_module_is_a_read_of_its_source_and_tool_folders_are_not_inputs(tmp_path: Path) -> None:
    reads = recorder(tmp_path)
    tree = tmp_path / "tree"
    assert reads.relative(f"{tree}/src/backend/careervp/__pycache__/api.cpython-313.pyc") == (
        "src/backend/careervp/api.py"
    )
    assert reads.relative(f"{tree}/__pycache__/conftest.cpython-313.pyc") == "conftest.py"
    assert reads.relative(f"{tree}/.venv/lib/python3.13/site-packages/x.py") is None
    assert reads.relative(f"{tmp_path}/elsewhere/x.py") is None


def test_a_start_the_record_cannot_follow_makes_it_opaque(tmp_path: Path) -> None:
    reads = recorder(tmp_path)
    tree, outside = tmp_path / "tree", tmp_path / "scratch"
    traced = {ROOT_ENV: str(tree), LOG_ENV: "log", "PYTHONPATH": HOOK_DIR, "PATH": ""}
    inner = {**traced, ROOT_ENV: str(outside), OUTER_ENV: json.dumps([[str(tree), "log"]])}

    def reason(argv: list[str], cwd: Path | None, env: dict[str, str] | None) -> str | None:
        return reads.spawn_reason("subprocess.Popen", (None, argv, cwd, env))

    assert reason([sys.executable, "-c", "pass"], outside, traced) is None
    assert reason([sys.executable, "-c", "pass"], outside, inner) is None, "a record nested in this one"
    assert "outside the record" in str(
        reason([sys.executable], outside, {**traced, ROOT_ENV: str(outside)})
    ), "this record's log, another tree: its reads would be named by the wrong tree"
    another_copy = {**traced, "PYTHONPATH": f"{outside}/ci/src/careervp_ci/pipeline/changes/child_reads"}
    assert reason([sys.executable, "-c", "pass"], outside, another_copy) is None
    assert "outside the record" in str(reason([sys.executable, "-c", "pass"], outside, {"PATH": ""}))
    assert "without the record's hook" in str(reason([sys.executable], outside, {**traced, "PYTHONPATH": ""}))
    assert "skips site or PYTHONPATH" in str(reason([sys.executable, "-I", "-c", "pass"], outside, traced))
    assert reason(["git", "-C", str(outside), "status"], tree, None) is None
    driver = f"{outside}/site-packages/playwright/driver/node"
    assert reason([driver, f"{outside}/cli.js", "run-driver"], tree, None) is None, "Playwright's driver"
    assert "node on the tree" in str(reason([driver, f"{outside}/cli.js", "install"], tree, None))
    assert "git on the tree" in str(reason(["git", "status"], tree, None))
    assert "cat on the tree" in str(reason(["cat", f"{tree}/README.md"], outside, None))
    assert reason(["cat", "notes.txt"], outside, None) is None
    assert reason([f"{tree}/.venv/bin/ruff", "check", "."], outside, None) is None  # a tool folder: no input
    assert "ruff on the tree" in str(reason(["ruff", f"--config={tree}/pyproject.toml"], outside, None))
    assert "ruff on the tree" in str(reason(["ruff", "check", str(tree)], outside, None))
    assert "a shell command" in str(reads.spawn_reason("os.system", ("ls",)))


def test_a_file_two_tests_read_in_one_process_is_a_read_of_each(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write(tree, "docs/specs/a.json", "{}\n")
    write(
        tree,
        "tests/ci/test_twice.py",
        READS_A + READS_A.split("\n\n\n", 1)[1].replace("test_reads_a", "test_again"),
    )
    tests = recorded_suite(tree, tmp_path / "reads")
    assert {test: "docs/specs/a.json" in entry["reads"] for test, entry in tests.items()} == {
        "tests/ci/test_twice.py::test_reads_a": True,
        "tests/ci/test_twice.py::test_again": True,
    }


def recorded_suite(tree: Path, out: Path) -> dict[str, dict[str, list[str]]]:
    """Run `tree`'s tests under the read tracker, as `pipeline-tests` does; each test's record."""
    plugin = ["-p", "careervp_ci.pipeline.changes.read_tracker", "--reads-out", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", *plugin],
        cwd=tree,
        env={**os.environ, **nested_env(str(tree))},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    tests: dict[str, dict[str, list[str]]] = {}
    for written in out.glob("reads-*.json"):  # one per worker
        tests |= json.loads(written.read_text())["tests"]
    return tests


INNER_TEST = """\
import os
import subprocess
import sys
from pathlib import Path


def test_reads_its_tree_and_the_outer_one() -> None:
    assert Path("docs/specs/a.json").read_text() == "{}\\n"
    assert Path(os.environ["OUTER_SPEC"]).read_text() == "{}\\n"
    child = "import os; open(os.environ['OUTER_SPEC'].replace('shared', 'child')).read()"
    subprocess.run([sys.executable, "-c", child], check=True)
"""
OUTER_TEST = """\
import os
import subprocess
import sys
from pathlib import Path

from careervp_ci.pipeline.changes.reads_hook import nested_env

ROOT = Path(__file__).resolve().parents[2]


def test_runs_a_recorded_suite() -> None:
    inner, out = ROOT.parent / "inner", ROOT.parent / "inner-reads"
    env = {**os.environ, **nested_env(str(inner)), "OUTER_SPEC": str(ROOT / "docs/specs/shared.json")}
    plugin = ["-p", "careervp_ci.pipeline.changes.read_tracker", "--reads-out", str(out)]
    argv = [sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", "-n", "1", *plugin]
    assert subprocess.run(argv, cwd=inner, env=env, check=False).returncode == 0
"""


def test_a_suite_recorded_inside_a_recorded_test_records_into_both(tmp_path: Path) -> None:
    """The pipeline's selection test runs recorded suites: what they read of this tree is its test's
    read, their own tree's files are not, and they stay traced, so the test selects like any other."""
    outer, inner = tmp_path / "outer", tmp_path / "inner"
    for spec in ("shared", "child", "a"):
        write(outer, f"docs/specs/{spec}.json", "{}\n")
    write(outer, "tests/ci/test_outer.py", OUTER_TEST)
    write(inner, "docs/specs/a.json", "{}\n")
    write(inner, "tests/test_inner.py", INNER_TEST)
    records = recorded_suite(outer, tmp_path / "outer-reads")
    outer_test = records["tests/ci/test_outer.py::test_runs_a_recorded_suite"]
    assert outer_test["opaque"] == []
    assert {"docs/specs/shared.json", "docs/specs/child.json"} <= set(outer_test["reads"])
    assert "docs/specs/a.json" not in outer_test["reads"], "the inner tree's file, named as this tree's"
    inner_records = json.loads((tmp_path / "inner-reads" / "reads-gw0.json").read_text())["tests"]
    inner_test = inner_records["tests/test_inner.py::test_reads_its_tree_and_the_outer_one"]
    assert inner_test["opaque"] == [] and "docs/specs/a.json" in inner_test["reads"]
