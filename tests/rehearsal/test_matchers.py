"""The stand-ins' matching is the actions' own libraries: known cases from the actions' tests and docs agree.

Vectors: dorny/paths-filter __tests__/filter.test.ts at d1c1ffe (v3.0.3) for picomatch with `dot: true`;
actions/labeler action.yml at bf12e9b (v7.0.0) for `dot` ('.github' matches only with dot); upload-artifact
search.ts at ea165f8 (v4.6.2) with @actions/glob 0.5.0 for hidden files. And pr-validate's own filters, run
through the paths-filter stand-in: a docs-only change is no code change, a workflow change is.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs
from careervp_ci.rehearsal import matchers
from careervp_ci.rehearsal.artifacts import search_options
from careervp_ci.rehearsal.facts import table
from careervp_ci.rehearsal.standins import Job, Run, stand_in
from support.git import git

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("**/*.js", ".test/.test.js", True),
        ("!(**/*.tsx|**/*.less)", "src/ui.tsx", False),
        ("!(**/*.tsx|**/*.less)", "src/server.py", True),
        ("pkg/a/b/c/**", "pkg/a/b/c/src/main/some-class.ts", True),
        ("!**/*.md", "pkg/a/b/c/some-docs.md", False),
        ("!*.md", "docs/guide.md", True),
        ("**", ".github/workflows/ci.yml", True),
    ],
)
def test_picomatch_with_dot_matches_as_paths_filter_does(pattern: str, path: str, expected: bool) -> None:
    assert matchers.matches("picomatch", [pattern], [path], {"dot": True}) == [[expected]]


def test_minimatch_matches_dot_paths_only_with_the_dot_input() -> None:
    rows = matchers.matches("minimatch", ["**", ".github/**"], [".github/labeler.yml"], {"dot": True})
    assert rows == [[True], [True]]
    assert matchers.matches("minimatch", ["**"], [".github/labeler.yml"], {"dot": False}) == [[False]]


def test_actions_glob_skips_a_hidden_search_path_itself_unless_hidden_files_are_included(
    tmp_path: Path,
) -> None:
    (tmp_path / ".reports" / "sub").mkdir(parents=True)
    (tmp_path / ".reports" / "sub" / "a.xml").write_text("a")
    (tmp_path / "shown" / ".hidden").mkdir(parents=True)
    (tmp_path / "shown" / ".hidden" / "b").write_text("b")
    (tmp_path / "shown" / "c").write_text("c")
    assert matchers.glob(tmp_path, [".reports/"], search_options(False)).files == []
    assert matchers.glob(tmp_path, [".reports/"], search_options(True)).files == [
        tmp_path / ".reports/sub/a.xml"
    ]
    assert matchers.glob(tmp_path, ["shown"], search_options(False)).files == [tmp_path / "shown/c"]


@pytest.mark.parametrize(
    ("changed", "outputs"),
    [
        ("README.md", {"code": "false", "specs": "false", "plan": "false"}),
        ("docs/guide.md", {"code": "false", "specs": "false", "plan": "false"}),
        ("plan.md", {"code": "false", "specs": "false", "plan": "true"}),
        ("docs/specs/openapi.json", {"code": "false", "specs": "true", "plan": "false"}),
        (".github/workflows/ci.yml", {"code": "true", "specs": "false", "plan": "false"}),
        ("src/backend/app.py", {"code": "true", "specs": "false", "plan": "false"}),
    ],
)
def test_pr_validates_filters_sort_changes_as_the_pinned_paths_filter_would(
    tmp_path: Path, changed: str, outputs: dict[str, str]
) -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/pr-validate.yml").read_text(encoding="utf-8"))
    filtered = workflow["jobs"]["changes"]["steps"][0]
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    git(repo, "commit", "--quiet", "--allow-empty", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    (repo / changed).parent.mkdir(parents=True, exist_ok=True)
    (repo / changed).write_text("x")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "change")
    run = Run(repo, git(repo, "rev-parse", "HEAD"), "refs/pull/7/merge", base, tmp_path, tmp_path, "0", {})
    job = Job("pr-validate", "changes", tmp_path, {}, {"pull-requests": "read"}, "")
    assert filtered["uses"].split("@")[1] == table()["dorny/paths-filter"].sha
    stand_in(filtered["uses"])(run, job, filtered["with"])
    assert {name: job.outputs[name] for name in outputs} == outputs
