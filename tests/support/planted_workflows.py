"""The project's real workflows rehearsed in a planted repository with a stand-in `dagger` script on PATH: the
jobs, conditions, artifacts and stand-ins run as in a rehearsal, with no container (seconds, not minutes)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from careervp_ci.rehearsal.standins import Run
from careervp_ci.rehearsal.workflow import Event, Settings, WorkflowRun, base_env

ROOT = Path(__file__).resolve().parents[2]
PULL_REQUEST_REF = "refs/pull/7/merge"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "planted-key-id", "AWS_SECRET_ACCESS_KEY": "planted-secret"}
"""What configure-aws-credentials' stand-in puts in the job's environment (no emulator here)."""


def _git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=t", "-c", "user.email=t@localhost"]
    done = subprocess.run(
        ["git", "-C", str(repo), *identity, *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


NO_RESULT_STORE = {"CAREERVP_RESULT_STORE": "", "CAREERVP_RESULT_STORE_WRITE": ""}
"""A repository that declares no result store (the variables exist, empty): its jobs run every step."""


def rehearse(
    tmp_path: Path,
    workflow: str,
    event: Event,
    *,
    dagger: str,
    secrets: Mapping[str, str],
    variables: Mapping[str, str] | None = None,
    may_fail: frozenset[str] = frozenset(),
    ref: str = PULL_REQUEST_REF,
) -> dict[str, dict[str, Any]]:
    """`workflow` on a repository holding the project's .github and a base commit plus one code change (the
    head, also at refs/pull/7/merge); `dagger` is the shell script the jobs' `dagger` runs."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / ".github", repo / ".github")
    (repo / "src").mkdir()
    (repo / "src" / "app.py").write_text("A = 1\n")
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    base = _git(repo, "rev-parse", "HEAD")
    (repo / "src" / "app.py").write_text("A = 2\n")
    _git(repo, "commit", "-qam", "a code change")
    head = _git(repo, "rev-parse", "HEAD")
    _git(repo, "update-ref", PULL_REQUEST_REF, head)
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "dagger").write_text(dagger)
    (shims / "dagger").chmod(0o755)
    run = Run(repo, head, ref, base, tmp_path / "artifacts", tmp_path / "att", "0.21.11", CREDENTIALS)
    declared = {**NO_RESULT_STORE, **(variables or {})}
    settings = Settings(dict(secrets), declared, base_env(shims), tmp_path / "jobs.log")
    return WorkflowRun(repo, workflow, run, event, settings, may_fail=may_fail).execute()
