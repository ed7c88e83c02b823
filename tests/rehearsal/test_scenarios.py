"""The rehearsed repository: the project's committed HEAD with the refs each scenario's event is about."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs
from careervp_ci.rehearsal.scenarios import SCENARIOS, TAG, commit, prepare

ROOT = Path(__file__).resolve().parents[2]


def test_every_scenario_names_a_ref_and_a_workflow_the_prepared_repository_has(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    prepare(ROOT, repo)
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout
    assert commit(repo, "main") == head.strip() == commit(repo, TAG)
    for scenario in SCENARIOS:
        assert commit(repo, scenario.head) and commit(repo, scenario.base)
        workflow = yaml.safe_load((repo / ".github" / "workflows" / f"{scenario.workflow}.yml").read_text())
        assert workflow["jobs"], scenario.name
    diff = subprocess.run(
        ["git", "-C", str(repo), "diff", "--name-only", "pr-base", "main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert diff == ["src/backend/careervp/config.py"], (
        "the code-change pull request changes exactly one module"
    )
    laptop = (repo / ".github" / "workflows" / "laptop.yml").read_text()
    assert "dagger call ci --src ." in laptop and "{version}" not in laptop


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
