"""actionlint (with shellcheck) and zizmor --offline, run for real: clean on the project's workflows, and each
one fails on a planted defect (a template injection, an unpinned action, an over-broad permission) that a
clean control workflow does not have."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent

CLEAN = """\
name: planted
on:
  pull_request:
    branches: [main]
permissions: {}
jobs:
  check:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
        with:
          persist-credentials: false
      - env:
          TITLE: ${{ github.event.pull_request.title }}
        run: printf '%s\\n' "$TITLE"
"""
INJECTION = CLEAN.replace(
    "      - env:\n          TITLE: ${{ github.event.pull_request.title }}\n"
    "        run: printf '%s\\n' \"$TITLE\"\n",
    '      - run: echo "${{ github.event.pull_request.title }}"\n',
)
UNPINNED = CLEAN.replace(
    "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0", "actions/checkout@v4"
)
WRITE_ALL = CLEAN.replace("    permissions:\n      contents: read\n", "    permissions: write-all\n")


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} is not installed in the project's environment (uv sync)"
    return found


def actionlint(*files: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    path = f"{BIN}:{Path(tool('shellcheck')).parent}"
    return subprocess.run(
        [tool("actionlint"), "-no-color", *map(str, files)],
        cwd=cwd,
        env={"PATH": path},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def zizmor(target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def plant(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    workflow = folder / "planted.yml"
    workflow.write_text(text, encoding="utf-8")
    return workflow


def test_actionlint_passes_on_the_projects_workflows() -> None:
    files = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    result = actionlint(*files, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_passes_on_the_projects_workflows_and_dependabot_config() -> None:
    result = zizmor(ROOT / ".github")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_clean_control_workflow_passes_both_linters(tmp_path: Path) -> None:
    workflow = plant(tmp_path, CLEAN)
    assert actionlint(workflow, cwd=tmp_path).returncode == 0
    result = zizmor(workflow)
    assert result.returncode == 0, result.stdout


def test_both_linters_fail_on_a_pull_request_title_spliced_into_a_script(tmp_path: Path) -> None:
    workflow = plant(tmp_path, INJECTION)
    lint = actionlint(workflow, cwd=tmp_path)
    assert lint.returncode == 1
    assert "github.event.pull_request.title" in lint.stdout
    audit = zizmor(workflow)
    assert audit.returncode != 0
    assert "template-injection" in audit.stdout


@pytest.mark.parametrize(
    ("text", "finding"),
    [(UNPINNED, "unpinned-uses"), (WRITE_ALL, "excessive-permissions")],
    ids=["unpinned-action", "write-all"],
)
def test_zizmor_fails_on_a_planted_supply_chain_defect(tmp_path: Path, text: str, finding: str) -> None:
    assert text != CLEAN
    audit = zizmor(plant(tmp_path, text))
    assert audit.returncode != 0
    assert finding in audit.stdout


def test_the_pipelines_workflows_step_fails_on_a_planted_injection(tmp_path: Path) -> None:
    plant(tmp_path, INJECTION)
    result = subprocess.run(
        [sys.executable, "-m", "careervp_ci.host.cli", "workflows", "--src", str(tmp_path), "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "workflows" in result.stdout
