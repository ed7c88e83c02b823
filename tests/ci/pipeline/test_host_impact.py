"""Test-impact selection: a change inside function bodies re-runs only the tests that executed the changed
files; anything that could make the recorded map wrong runs the whole suite, and says why."""

from __future__ import annotations

import json
from pathlib import Path

from careervp_ci.pipeline.changes import impact
from coverage import CoverageData
from support.fixture_project import CliRunner, write

GREETING_TEST = """\
from careervp.greeting import greet


def test_greet_in_unit() -> None:
    assert greet("ada") == "hello ada"
"""


def test_module_level_code_is_what_importers_see_and_bodies_and_docstrings_are_not() -> None:
    base = '"""Doc."""\nLIMIT = 3\n\n\ndef f(x: int) -> int:\n    """Doc."""\n    return x + LIMIT\n'
    body = base.replace("return x + LIMIT", "return LIMIT + x")
    docs = base.replace('"""Doc."""\nLIMIT', '"""Other doc."""\nLIMIT')
    constant = base.replace("LIMIT = 3", "LIMIT = 4")
    signature = base.replace("def f(x: int)", "def f(x: int = 1)")
    decorator = base.replace("def f", "@staticmethod\ndef f")
    digest = impact.skeleton_digest(base)
    assert impact.skeleton_digest(body) == digest
    assert impact.skeleton_digest(docs) == digest
    assert {impact.skeleton_digest(v) for v in (constant, signature, decorator)}.isdisjoint({digest})


def recorded_map(tmp_path: Path, src: Path, contexts: dict[str, dict[str, list[int]]]) -> Path:
    """A map recorded from coverage data with the given per-test contexts (context -> file -> lines)."""
    raw = CoverageData(basename=str(tmp_path / "raw.coverage"))
    for context, files in contexts.items():
        raw.set_context(context)
        raw.add_lines({str(src / name): lines for name, lines in files.items()})
    raw.write()
    inputs = {name: "digest-" + name for name in ("src/backend/careervp/a.py", "src/backend/careervp/b.py")}
    mapped = tmp_path / "map"
    impact.record(src, tmp_path / "raw.coverage", inputs, [], mapped)
    (mapped / impact.DATA_FILE).write_bytes(b"")
    return mapped


def project(tmp_path: Path) -> Path:
    src = tmp_path / "tree"
    write(src, "src/backend/careervp/a.py", "X = 1\n\n\ndef a() -> int:\n    return X\n")
    write(src, "src/backend/careervp/b.py", "def b() -> int:\n    return 2\n")
    return src


def test_a_body_change_skips_exactly_the_tests_that_never_executed_the_file(tmp_path: Path) -> None:
    src = project(tmp_path)
    mapped = recorded_map(
        tmp_path,
        src,
        {
            "tests/unit/test_a.py::test_a|run": {"src/backend/careervp/a.py": [5]},
            "tests/unit/test_b.py::test_b|run": {"src/backend/careervp/b.py": [2]},
        },
    )
    write(src, "src/backend/careervp/a.py", "X = 1\n\n\ndef a() -> int:\n    return X + 0\n")
    now = {
        "src/backend/careervp/a.py": "changed",
        "src/backend/careervp/b.py": "digest-src/backend/careervp/b.py",
    }
    selection = impact.select(src, now, mapped)
    assert selection.deselect == ("tests/unit/test_b.py::test_b",)
    assert "skipped 1 recorded test(s) that executed none of them" in selection.reason


def test_functions_that_run_in_shared_fixtures_or_at_import_force_a_full_run(tmp_path: Path) -> None:
    src = project(tmp_path)
    mapped = recorded_map(
        tmp_path,
        src,
        {
            "tests/unit/test_a.py::test_a|setup": {"src/backend/careervp/a.py": [5]},
            "tests/unit/test_b.py::test_b|run": {"src/backend/careervp/b.py": [2]},
        },
    )
    selection = impact.select(src, {"src/backend/careervp/a.py": "changed"}, mapped)
    assert selection.full and "run at import or in shared fixtures" in selection.reason


def test_dependency_config_conftest_and_module_level_changes_run_everything(tmp_path: Path) -> None:
    src = project(tmp_path)
    mapped = recorded_map(
        tmp_path, src, {"tests/unit/test_b.py::test_b|run": {"src/backend/careervp/b.py": [2]}}
    )
    before = json.loads((mapped / impact.MAP_FILE).read_text())["inputs"]
    for changed in ("uv.lock", "pyproject.toml", "tests/unit/conftest.py", "tests/fixtures/event.json"):
        selection = impact.select(src, {**before, changed: "new"}, mapped)
        assert selection.full and changed in selection.reason
    write(src, "src/backend/careervp/b.py", "LIMIT = 1\n\n\ndef b() -> int:\n    return 2\n")
    selection = impact.select(src, {**before, "src/backend/careervp/b.py": "new"}, mapped)
    assert selection.full and "module-level code" in selection.reason


def test_no_map_or_a_map_of_another_tree_runs_everything(tmp_path: Path) -> None:
    src = project(tmp_path)
    assert impact.select(src, {}, tmp_path / "none").full
    mapped = recorded_map(
        tmp_path, src, {"tests/unit/test_b.py::test_b|run": {"src/backend/careervp/b.py": [2]}}
    )
    assert "recorded for" in impact.select(tmp_path / "elsewhere", {}, mapped).reason


def test_the_unit_step_reruns_only_affected_tests_and_still_catches_the_break(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    write(fixture_tree, "tests/unit/test_greeting_unit.py", GREETING_TEST)
    first = careervp_ci("unit", cwd=fixture_tree)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "no test-impact map yet" in first.stdout
    greeting = fixture_tree / "src/backend/careervp/greeting.py"
    greeting.write_text(greeting.read_text().replace('f"hello {name}"', 'f"hi {name}"'))
    broken = careervp_ci("unit", cwd=fixture_tree)
    assert broken.returncode == 1 and "test_greet_in_unit" in broken.stdout
    report = json.loads((fixture_tree / ".reports/unit/impact.json").read_text())
    assert report["skipped"] == ["tests/unit/test_pricing.py::test_total_adds_prices"]
    greeting.write_text(greeting.read_text().replace('f"hi {name}"', '"hello " + name'))
    fixed = careervp_ci("unit", cwd=fixture_tree)
    assert fixed.returncode == 0 and "skipped 1 recorded test(s)" in fixed.stdout
    coverage = careervp_ci("coverage", cwd=fixture_tree)
    assert coverage.returncode == 0, coverage.stdout


def test_without_the_result_cache_every_test_runs(fixture_tree: Path, careervp_ci: CliRunner) -> None:
    result = careervp_ci("unit", "--no-cache", cwd=fixture_tree)
    assert result.returncode == 0 and "no result cache (--no-cache)" in result.stdout
