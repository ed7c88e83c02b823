"""A Codecov outage shows and blocks nothing: pr-validate's real workflows (the reusable validation, the
Codecov job, the required check) rehearsed with a `dagger` that only writes the reports, no containers."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from careervp_ci.rehearsal.standins import Run
from careervp_ci.rehearsal.workflow import Event, Settings, WorkflowRun, base_env

ROOT = Path(__file__).resolve().parents[2]
FAKE_DAGGER = """#!/bin/sh
# The pipeline passes; `reports ... export --path .reports` writes what the real reports hold.
if [ "$2" = reports ]; then
  mkdir -p .reports/coverage
  echo '<coverage line-rate="0.9"/>' > .reports/coverage/coverage.xml
  echo '{"runs": [{"tool": {"driver": {"name": "planted"}}}]}' > .reports/planted.sarif
fi
"""


def _git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=t", "-c", "user.email=t@localhost"]
    done = subprocess.run(
        ["git", "-C", str(repo), *identity, *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _pull_request(
    tmp_path: Path, codecov_token: str, may_fail: frozenset[str]
) -> dict[str, dict[str, object]]:
    """pr-validate on a pull request that changes code, Codecov's token as given."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / ".github", repo / ".github")
    (repo / "src").mkdir()
    (repo / "src" / "app.py").write_text("A = 1\n")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    base = _git(repo, "rev-parse", "HEAD")
    (repo / "src" / "app.py").write_text("A = 2\n")
    _git(repo, "commit", "-qam", "a code change")
    head = _git(repo, "rev-parse", "HEAD")
    _git(repo, "update-ref", "refs/pull/7/merge", head)
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "dagger").write_text(FAKE_DAGGER)
    (shims / "dagger").chmod(0o755)
    run = Run(repo, head, "refs/pull/7/merge", base, tmp_path / "artifacts", tmp_path / "att", "0.21.11", {})
    settings = Settings({"CODECOV_TOKEN": codecov_token}, {}, base_env(shims), tmp_path / "jobs.log")
    workflow = WorkflowRun(repo, "pr-validate", run, Event("pull_request"), settings, may_fail=may_fail)
    return workflow.execute()


def test_a_codecov_outage_fails_only_the_codecov_job_and_the_required_check_stays_green(
    tmp_path: Path,
) -> None:
    results = _pull_request(tmp_path, codecov_token="", may_fail=frozenset({"codecov"}))
    verdicts = {job: result["result"] for job, result in results.items()}
    assert verdicts["validate"] == "success"
    assert verdicts["codecov"] == verdicts["codecov / upload"] == "failure"
    assert verdicts["required"] == "success"
    assert "codecov-action: no token" in str(results["codecov / upload"]["error"])


def test_with_codecov_up_every_job_of_the_pull_request_passes(tmp_path: Path) -> None:
    results = _pull_request(tmp_path, codecov_token="rehearsal-codecov-token", may_fail=frozenset())
    assert {job: result["result"] for job, result in results.items()} == {
        "changes": "success",
        "docs-only": "skipped",
        "validate / validate": "success",
        "validate": "success",
        "codecov / upload": "success",
        "codecov": "success",
        "required": "success",
    }
