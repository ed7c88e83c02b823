"""The rehearsed repository: the project's committed HEAD with the refs each scenario's event is about."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs
from careervp_ci.rehearsal.scenarios import SCENARIOS, TAG, commit, prepare
from support.git import git

ROOT = Path(__file__).resolve().parents[2]


def _clean_clone(tmp_path: Path) -> Path:
    """The project as committed: the tests below must not depend on what a developer has not committed."""
    project = tmp_path / "project"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(project)], check=True)
    return project


def test_every_scenario_names_a_ref_and_a_workflow_the_prepared_repository_has(tmp_path: Path) -> None:
    project = _clean_clone(tmp_path)
    repo = tmp_path / "repo"
    prepare(project, repo)
    assert commit(repo, "main") == git(project, "rev-parse", "HEAD") == commit(repo, TAG)
    for scenario in SCENARIOS:
        assert commit(repo, scenario.head) and commit(repo, scenario.base)
        workflow = yaml.safe_load((repo / ".github" / "workflows" / f"{scenario.workflow}.yml").read_text())
        assert workflow["jobs"], scenario.name
    diff = git(repo, "diff", "--name-only", "pr-base...pr-code").split()
    assert diff == ["src/backend/careervp/config.py"], (
        "the code-change pull request changes exactly one module, against its merge base"
    )
    assert git(repo, "diff", "--name-only", "main", "pr-code") == "", (
        "the pull request's head has main's tree, so main's validation reuses its gates"
    )
    laptop = (repo / ".github" / "workflows" / "laptop.yml").read_text()
    assert "dagger call ci --src ." in laptop and "{version}" not in laptop


def test_uncommitted_edits_are_rehearsed_as_a_commit_on_top_of_head(tmp_path: Path) -> None:
    """`make rehearse` after editing a workflow rehearses the edit: edited, new and deleted files reach the
    rehearsed main as one commit whose parent is HEAD; what git ignores stays out."""
    project = _clean_clone(tmp_path)
    head = git(project, "rev-parse", "HEAD")
    workflow = project / ".github" / "workflows" / "labeler.yml"
    workflow.write_text(workflow.read_text() + "# an uncommitted edit\n")
    (project / "docs" / "new-page.md").write_text("a file git does not track yet\n")
    (project / "CONTRIBUTING.md").unlink()
    (project / ".reports").mkdir(exist_ok=True)
    (project / ".reports" / "ignored.txt").write_text("ignored by .gitignore\n")
    repo = tmp_path / "repo"
    prepare(project, repo)
    assert git(repo, "rev-parse", "main^") == head
    changed = git(repo, "diff", "--name-status", "main^", "main").splitlines()
    assert sorted(changed) == sorted(
        ["M\t.github/workflows/labeler.yml", "A\tdocs/new-page.md", "D\tCONTRIBUTING.md"]
    )
    assert (repo / ".github" / "workflows" / "labeler.yml").read_text().endswith("# an uncommitted edit\n")


def test_two_rehearsals_of_one_working_tree_name_the_same_commits(tmp_path: Path) -> None:
    """Each world prepares its own clone: with the commits dated by the clock, a dirty tree's main (every
    scenario's base ref) differed between worlds, and no step keyed by it was taken from the store."""
    project = _clean_clone(tmp_path)
    (project / "docs" / "new-page.md").write_text("an uncommitted page\n")
    refs = []
    for name in ("first", "second"):
        repo = tmp_path / name
        prepare(project, repo)
        refs.append([commit(repo, ref) for ref in ("main", "pr-base", "pr-code", "hotfix/rehearsal")])
        time.sleep(1.1)  # git dates to the second: the clock must have moved between the two
    assert refs[0] == refs[1]


def test_a_world_holds_whole_workflows_and_what_they_build_on() -> None:
    """`careervp-ci rehearse` runs worlds at once, selecting each by its workflows: a workflow split across
    worlds would run twice, and a scenario apart from the state it reads would find none."""
    world_of: dict[str, set[str]] = {}
    for scenario in SCENARIOS:
        world_of.setdefault(scenario.workflow, set()).add(scenario.world)
    assert all(len(worlds) == 1 for worlds in world_of.values()), world_of
    for scenario in SCENARIOS:
        assert all(world_of[earlier] == {scenario.world} for earlier in scenario.after), scenario.name
    assert len({scenario.world for scenario in SCENARIOS}) == 2


CALLED = re.compile(r"uses: \$/\.github/workflows/([\w-]+)\.yml")


def test_every_workflow_that_runs_dagger_is_rehearsed_by_a_scenario_or_one_that_calls_it() -> None:
    folder = ROOT / ".github" / "workflows"
    rehearsed = {scenario.workflow for scenario in SCENARIOS}
    for name in rehearsed - {"laptop"}:  # the laptop's workflow exists only in the rehearsed repository
        rehearsed = rehearsed | set(CALLED.findall((folder / f"{name}.yml").read_text()))
    with_dagger = {
        path.stem for path in folder.glob("*.yml") if "dagger/dagger-for-github@" in path.read_text()
    }
    assert with_dagger - rehearsed == set(), "a workflow that runs Dagger that no scenario rehearses"
