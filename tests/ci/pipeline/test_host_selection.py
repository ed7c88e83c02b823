"""Change-aware selection: the workflows' path-filter rules, and `--changed-from` on a real git history."""

from __future__ import annotations

from pathlib import Path

import pytest
from careervp_ci.pipeline.changes.select import FULL_BAR, PIPELINE_PATHS, changed_paths, is_docs_only, select
from careervp_ci.pipeline.profiles import PROFILES
from support.fixture_project import CliRunner, write
from support.git import git

STEPS = ("format", "lint", "typecheck", "unit", "synth")
WITH_DOCS = ("format", "docs", "lint", "unit", "pipeline-tests")


@pytest.mark.parametrize(
    "path",
    [
        "src/backend/careervp/pricing.py",
        "infra/app.py",
        ".github/workflows/pr.yml",
        "docs/specs/openapi.json",
        "ci/src/careervp_ci/host/executor.py",
        "tests/unit/test_x.py",
        "pyproject.toml",
        "uv.lock",
        "package.json",
        "package-lock.json",
    ],
)
def test_code_contract_pipeline_and_pin_changes_run_the_full_bar(path: str) -> None:
    selection = select(STEPS, ["README.md", path], "main")
    assert selection.steps == STEPS
    assert selection.skipped == {}
    assert path in selection.reason


def test_documentation_only_change_runs_only_format_and_says_why_each_step_is_skipped() -> None:
    selection = select(STEPS, ["README.md", "docs/guide/setup.md"], "main")
    assert selection.steps == ("format",)
    assert set(selection.skipped) == {"lint", "typecheck", "unit", "synth"}
    assert all("documentation-only" in reason for reason in selection.skipped.values())


def test_a_path_no_rule_knows_is_treated_as_code() -> None:
    selection = select(STEPS, ["tools/release.sh"], "main")
    assert selection.steps == STEPS
    assert "tools/release.sh is not documentation" in selection.reason


def test_nothing_changed_selects_nothing_and_names_the_ref() -> None:
    selection = select(STEPS, [], "v1.2.3")
    assert selection.steps == ()
    assert selection.skipped["lint"] == "nothing changed since v1.2.3"


def test_spec_folder_is_contract_not_documentation() -> None:
    assert "docs/specs/**" in FULL_BAR
    assert select(STEPS, ["docs/specs/notes.md"], "main").steps == STEPS


def test_changed_paths_include_committed_unstaged_and_untracked_files(fixture_tree: Path) -> None:
    base = git(fixture_tree, "rev-parse", "HEAD")
    write(fixture_tree, "docs/committed.md", "x\n")
    git(fixture_tree, "add", "docs/committed.md")
    git(fixture_tree, "commit", "-q", "-m", "docs")
    write(fixture_tree, "README.md", "# changed\n")
    write(fixture_tree, "notes.md", "untracked\n")
    assert changed_paths(fixture_tree, base) == ["README.md", "docs/committed.md", "notes.md"]


def test_docs_only_change_runs_format_alone_and_prints_skip_reasons(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    write(fixture_tree, "README.md", "# only docs changed\n")
    result = careervp_ci("ci", "--profile", "pr", "--changed-from", "HEAD", cwd=fixture_tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "documentation-only change (README.md): docs-level checks only" in result.stdout
    assert "skip typecheck: documentation-only change" in result.stdout
    assert "format passed" in result.stdout
    assert "unit running" not in result.stdout


def test_unknown_ref_exits_2_naming_it(fixture_tree: Path, careervp_ci: CliRunner) -> None:
    result = careervp_ci("ci", "--changed-from", "no-such-branch", cwd=fixture_tree)
    assert result.returncode == 2
    assert "'no-such-branch'" in result.stderr


def test_documentation_only_change_runs_the_docs_check_and_skips_the_pipeline_tests() -> None:
    selection = select(WITH_DOCS, ["docs/guide/setup.md", "src/backend/README.md"], "main")
    assert selection.steps == ("format", "docs")
    assert "pipeline-tests" in selection.skipped


@pytest.mark.parametrize("path", ["plan.md", "docs/specs/api-notes.md", "docs/specs/openapi.json"])
def test_plan_and_the_specs_are_not_documentation_only_and_run_the_full_bar(path: str) -> None:
    assert not is_docs_only(path)
    selection = select(WITH_DOCS, ["README.md", path], "main")
    assert {"lint", "unit", "docs", "format"} <= set(selection.steps)
    assert path in selection.reason


@pytest.mark.parametrize("path", ["README.md", "docs/workflows.md", "infra/README.md", "notes/x.md"])
def test_other_markdown_is_documentation_only(path: str) -> None:
    assert is_docs_only(path)


@pytest.mark.parametrize(
    "path",
    [
        "ci/src/careervp_ci/host/executor.py",
        ".github/workflows/pr-validate.yml",
        ".github/settings/ruleset-main.json",
        "Makefile",
        "dagger.json",
        "uv.lock",
        "ci/uv.lock",
        "package-lock.json",
        "tests/ci/host/test_host_cache.py",
    ],
)
def test_a_pipeline_change_runs_the_pipelines_own_tests(path: str) -> None:
    selection = select(WITH_DOCS, [path], "main")
    assert "pipeline-tests" in selection.steps
    assert selection.skipped == {}


@pytest.mark.parametrize("path", ["src/backend/careervp/api.py", "infra/app.py", "tests/unit/test_x.py"])
def test_a_product_change_runs_the_full_bar_without_the_pipelines_own_tests(path: str) -> None:
    selection = select(WITH_DOCS, [path], "main")
    assert selection.steps == ("format", "docs", "lint", "unit")
    assert "no change in its area" in selection.skipped["pipeline-tests"]


def test_every_profile_runs_the_pipelines_own_tests_and_the_pr_profile_the_docs_and_secret_checks() -> None:
    assert all("pipeline-tests" in profile.steps for profile in PROFILES.values())
    assert {"docs", "secrets"} <= set(PROFILES["pr"].steps)
    assert "Makefile" in PIPELINE_PATHS
