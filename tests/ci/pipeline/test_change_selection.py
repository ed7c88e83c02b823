"""Change selection has one home (`careervp_ci.pipeline.changes.select`): pr-validate.yml's path filter is
the one it declares, and the workflow runs the full bar when any of its filters matched."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs; results are cast below
from careervp_ci.pipeline.changes.select import PR_FILTERS, is_docs_only

ROOT = Path(__file__).resolve().parents[3]


def changes_job() -> dict[str, Any]:
    workflow = yaml.safe_load((ROOT / ".github/workflows/pr-validate.yml").read_text(encoding="utf-8"))
    return cast(dict[str, Any], workflow["jobs"]["changes"])


def test_the_pr_filter_is_the_one_the_selection_declares() -> None:
    (step,) = changes_job()["steps"]
    assert step["with"]["predicate-quantifier"] == "every"
    assert yaml.safe_load(step["with"]["filters"]) == {
        name: list(globs) for name, globs in PR_FILTERS.items()
    }


def test_the_workflow_runs_the_full_bar_when_any_filter_matched() -> None:
    full: str = changes_job()["outputs"]["full"]
    tested = re.findall(r"steps\.filter\.outputs\.([\w-]+) == 'true'", full)
    assert sorted(tested) == sorted(PR_FILTERS)
    assert full.count("||") == len(PR_FILTERS) - 1


@pytest.mark.parametrize(
    ("path", "docs_only"),
    [("README.md", True), ("docs/x.md", True), ("plan.md", False), ("docs/specs/openapi.md", False)],
)
def test_a_contract_document_is_never_documentation_only(path: str, docs_only: bool) -> None:
    assert is_docs_only(path) is docs_only
