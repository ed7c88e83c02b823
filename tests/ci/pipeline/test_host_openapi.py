"""`openapi`: drift from code fails, and a breaking change against the base ref fails until it is accepted
with a reason in the committed accepted-breaks file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from careervp_ci.pipeline.steps.openapi import accepted_breaks
from support.fixture_project import CliRunner, write
from support.git import git

REPOSITORY = Path(__file__).resolve().parents[3]
SPEC = "docs/specs/openapi.json"


def remove_all_routes(tree: Path) -> None:
    """Remove every route from both the code's contract and the committed spec (breaking, but no drift)."""
    module = tree / "src/backend/careervp_local/openapi.py"
    old = '"paths": {"/total": {"get": {"responses": {"200": {"description": "ok"}}}}},'
    module.write_text(module.read_text().replace(old, '"paths": {},'))
    spec = json.loads((tree / SPEC).read_text())
    spec["paths"] = {}
    write(tree, SPEC, json.dumps(spec, indent=2) + "\n")


def test_breaking_changes_fail_unless_accepted_with_a_reason(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    (fixture_tree / "node_modules").symlink_to(REPOSITORY / "node_modules")
    spec = json.loads((fixture_tree / SPEC).read_text())
    spec["paths"]["/price"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    write(fixture_tree, SPEC, json.dumps(spec, indent=2) + "\n")
    git(fixture_tree, "commit", "-qam", "add /price")
    remove_all_routes(fixture_tree)
    write(
        fixture_tree,
        "docs/specs/openapi-breaking-accepted.toml",
        '[[accepted]]\ncode = "path.remove"\nlocation = "paths./total"\nreason = "no client uses it"\n',
    )
    result = careervp_ci("openapi", "--base-ref", "HEAD", cwd=fixture_tree)
    assert result.returncode == 1, result.stdout
    assert "breaking API changes against HEAD" in result.stdout
    assert "docs/specs/openapi.json: breaking path.remove at paths./price" in result.stdout
    assert "breaking path.remove at paths./total" not in result.stdout


def test_a_base_ref_that_names_no_commit_fails_naming_it_instead_of_comparing_nothing(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    result = careervp_ci("openapi", "--base-ref", "no-such-ref", cwd=fixture_tree)
    assert result.returncode == 1, result.stdout
    assert "--base-ref 'no-such-ref': the base's contract cannot be read" in result.stdout
    assert "unknown git ref 'no-such-ref'" in result.stdout


def test_spec_that_drifted_from_the_code_fails(fixture_tree: Path, careervp_ci: CliRunner) -> None:
    spec = json.loads((fixture_tree / SPEC).read_text())
    spec["info"]["version"] = "2"
    write(fixture_tree, SPEC, json.dumps(spec))
    result = careervp_ci("openapi", cwd=fixture_tree)
    assert result.returncode == 1
    assert "differs from the code" in result.stdout
    assert (
        "reproduce: uv run python -m careervp_local.openapi --check docs/specs/openapi.json" in result.stdout
    )


def test_an_accepted_break_without_a_reason_is_refused(tmp_path: Path) -> None:
    write(
        tmp_path,
        "docs/specs/openapi-breaking-accepted.toml",
        '[[accepted]]\ncode = "path.remove"\nlocation = "paths./total"\nreason = " "\n',
    )
    with pytest.raises(ValueError, match="has no reason; say why the break is safe"):
        accepted_breaks(tmp_path)
