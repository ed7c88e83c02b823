"""`openapi --base-ref`: the breaking-change report the workflow uploads, and the verdict it goes with."""

from __future__ import annotations

import json
from pathlib import Path

from support.fixture_project import CliRunner, write
from support.git import git

REPOSITORY = Path(__file__).resolve().parents[3]
SPEC = "docs/specs/openapi.json"
REPORT = ".reports/openapi/openapi-breaking.md"


ROUTE = '"{route}": {{"get": {{"responses": {{"200": {{"description": "ok"}}}}}}}}, '


def drop_route_from_spec_and_code(tree: Path, route: str) -> None:
    module = tree / "src/backend/careervp_local/openapi.py"
    module.write_text(module.read_text().replace(ROUTE.format(route=route), ""))
    spec = json.loads((tree / SPEC).read_text())
    del spec["paths"][route]
    write(tree, SPEC, json.dumps(spec, indent=2) + "\n")


def add_route(tree: Path, route: str) -> None:
    """Add a route to both the code's contract and the spec, and commit it (the base ref has it)."""
    module = tree / "src/backend/careervp_local/openapi.py"
    old = '"paths": {'
    module.write_text(module.read_text().replace(old, old + ROUTE.format(route=route), 1))
    spec = json.loads((tree / SPEC).read_text())
    spec["paths"][route] = {"get": {"responses": {"200": {"description": "ok"}}}}
    write(tree, SPEC, json.dumps(spec, indent=2) + "\n")
    git(tree, "commit", "-qam", f"add {route}")


def test_an_unaccepted_break_fails_and_the_report_names_it_against_the_base_ref(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    (fixture_tree / "node_modules").symlink_to(REPOSITORY / "node_modules")
    add_route(fixture_tree, "/price")
    drop_route_from_spec_and_code(fixture_tree, "/price")
    result = careervp_ci("openapi", "--no-cache", "--base-ref", "HEAD", cwd=fixture_tree)
    assert result.returncode == 1, result.stdout + result.stderr
    report = (fixture_tree / REPORT).read_text()
    assert "Against `HEAD`: 1 breaking change(s), 1 not accepted" in report
    assert "| **not accepted** | `path.remove` | `paths./price` |" in report
    assert (fixture_tree / ".reports/openapi/openapi-diff.txt").is_file()


def test_an_accepted_break_passes_and_the_report_says_accepted(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    (fixture_tree / "node_modules").symlink_to(REPOSITORY / "node_modules")
    add_route(fixture_tree, "/price")
    drop_route_from_spec_and_code(fixture_tree, "/price")
    write(
        fixture_tree,
        "docs/specs/openapi-breaking-accepted.toml",
        '[[accepted]]\ncode = "path.remove"\nlocation = "paths./price"\nreason = "never released"\n',
    )
    result = careervp_ci("openapi", "--no-cache", "--base-ref", "HEAD", cwd=fixture_tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| accepted | `path.remove` | `paths./price` |" in (fixture_tree / REPORT).read_text()


def test_without_a_base_ref_the_report_says_nothing_was_compared(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    result = careervp_ci("openapi", "--no-cache", cwd=fixture_tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Not compared: no --base-ref was given" in (fixture_tree / REPORT).read_text()
