"""The events each workflow is rehearsed with, and the repository they happen in.

The rehearsed repository is a clone of the project's HEAD, plus its working tree's uncommitted changes as one
commit on top (a developer who edits a workflow rehearses the edit, not the last commit), with the refs the
events need: a tag `v1.0.0` on main; a pull request that changes backend code, as GitHub lists a pull
request's files (against the merge base): its base `pr-base` removes a line on top of main and its head
`pr-code` puts it back, so the head's tree is main's and the gates it shares with main's validation are
reused; a docs-only pull request; a fix branch for the hotfix; feature/gap-remediation; a commit the nightly's
gate fails (GATE_FAILS); and, in its working tree only, a `laptop` workflow that runs the README's
`dagger call ci --src .` as a job would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from careervp_ci.rehearsal.workflow import Event

LAPTOP = """name: laptop
on: push
permissions: {}
jobs:
  laptop:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8
      - uses: dagger/dagger-for-github@27b130bf0f79a7f6fbbbe0fbca6760dc9bb40a77
        with:
          version: "{version}"
      - run: dagger call ci --src . --result-store engine
"""
"""Not a workflow of the project: the laptop's edit loop that docs/dagger.md gives, rehearsed as a job would
run it, on main and then after an edit (LAPTOP_EDIT_FILE): the engine's own result store hands the second call
every step the edit does not reach."""
LAPTOP_EDIT_FILE = "docs/dagger.md"
LAPTOP_EDIT = "laptop-edit"

CODE_FILE = "src/backend/careervp/config.py"
DOCS_FILE = "README.md"
TAG = "v1.0.0"
GATE_FAILS = "nightly-gate-fails"
"""A commit on main that the nightly's quality gate fails (a line `ruff format` rewrites): the night the team
most needs the drift report."""
GATE_FAILS_FILE = "bench/chart.py"
"""Where that line lands: a file the format gate reads and the synth step does not, so the nightly's synth job
restores main's assembly from the result store, as it would after a one-file slip."""


@dataclass(frozen=True)
class Scenario:
    name: str
    workflow: str
    event: Event
    ref: str
    head: str
    """The branch or tag in the rehearsed repository whose commit the event is about."""
    base: str = "main"
    expect: dict[str, str] = field(default_factory=dict)
    """Jobs whose result is not `success` by design (docs-only skips the full validation)."""
    after: tuple[str, ...] = ()
    """Workflows rehearsed first when this one is selected alone (state it reads: dev's digest, a dev)."""
    slack_tables: tuple[str, ...] = ()
    """Environments the one drift table the Slack stand-in receives during the scenario must have measured."""
    torn_down: tuple[str, ...] = ()
    """Environments that must have no stack left in the emulator afterwards (a sandbox torn down)."""
    world: str = "release"
    """The emulator and repository it shares, in order, with the scenarios of the same world. Worlds share
    no state but the result store, so `careervp-ci rehearse` runs them side by side: `validation` (pull
    requests, the laptop, the gap sandbox), started once `release` (dev, staging, prod and what reads them)
    has finished main's validation."""


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "pr-validate (code change)",
        "pr-validate",
        Event("pull_request"),
        "refs/pull/7/merge",
        head="pr-code",
        base="pr-base",
        expect={"docs-only": "skipped"},
        world="validation",
    ),
    Scenario(
        "labeler (code change)",
        "labeler",
        Event("pull_request"),
        "refs/pull/7/merge",
        head="pr-code",
        base="pr-base",
        world="validation",
    ),
    Scenario(
        "pr-validate (docs-only)",
        "pr-validate",
        Event("pull_request"),
        "refs/pull/8/merge",
        head="pr-docs",
        expect={"validate": "skipped", "codecov": "skipped"},  # no coverage without the validation
        world="validation",
    ),
    Scenario("deploy-dev", "deploy-dev", Event("push"), "refs/heads/main", head="main"),
    Scenario(
        "deploy-stage-prod (tag)",
        "deploy-stage-prod",
        Event("push"),
        f"refs/tags/{TAG}",
        head=TAG,
        after=("deploy-dev",),
    ),
    Scenario(
        "hotfix (fix branch to dev)",
        "hotfix",
        Event("workflow_dispatch", {"ref": "hotfix/rehearsal", "environment": "dev"}),
        "refs/heads/main",
        head="main",
        expect={"change-set": "skipped", "prod": "skipped"},
    ),
    Scenario(
        "hotfix (release tag to prod)",
        "hotfix",
        Event("workflow_dispatch", {"ref": TAG, "environment": "prod"}),
        "refs/heads/main",
        head="main",
        expect={"deploy": "skipped"},
    ),
    Scenario(
        "rollback (dev, to the digest before the hotfix)",
        "rollback",
        Event("workflow_dispatch", {"environment": "dev", "to": ""}),
        "refs/heads/main",
        head="main",
        after=("deploy-dev", "hotfix"),
    ),
    Scenario(
        "nightly-maintenance",
        "nightly-maintenance",
        Event("schedule"),
        "refs/heads/main",
        head="main",
        after=("deploy-dev", "deploy-stage-prod"),
        slack_tables=("dev", "staging", "prod"),
    ),
    Scenario(
        "nightly-maintenance (quality gate failing)",
        "nightly-maintenance",
        Event("schedule"),
        "refs/heads/main",
        head=GATE_FAILS,
        expect={"quality": "failure", "codecov": "skipped"},  # no coverage to upload from a failed gate
        after=("deploy-dev", "deploy-stage-prod"),
        slack_tables=("dev", "staging", "prod"),
    ),
    Scenario(
        "laptop: dagger call ci --src . --result-store engine",
        "laptop",
        Event("push"),
        "refs/heads/main",
        "main",
        world="validation",
    ),
    Scenario(
        f"laptop: the same after an edit of {LAPTOP_EDIT_FILE}",
        "laptop",
        Event("push"),
        f"refs/heads/{LAPTOP_EDIT}",
        LAPTOP_EDIT,
        world="validation",
    ),
    Scenario(
        "gap-remediation (sandbox deploy)",
        "gap-remediation",
        Event("workflow_dispatch"),
        "refs/heads/feature/gap-remediation",
        head="feature/gap-remediation",
        torn_down=("gap-remediation",),
        world="validation",
    ),
)
"""In order: later scenarios of a world build on earlier ones (promotion needs dev's attested digest,
nightly every deployed environment)."""


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return done.stdout.strip()


IDENTITY = ("-c", "user.name=rehearsal", "-c", "user.email=rehearsal@localhost")


def _commit(repo: Path, *args: str) -> None:
    """A commit of the rehearsal's, dated as its parent: the same tree, parent and message make the same
    commit in every rehearsal, so two worlds (or a rehearsal and the next) name one base ref and the steps
    keyed by it are taken from the result store instead of run again."""
    date = _git(repo, "log", "-1", "--format=%cI")
    subprocess.run(
        ["git", "-C", str(repo), *IDENTITY, "commit", "--quiet", *args],
        env={**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date},
        capture_output=True,
        text=True,
        check=True,
    )


def commit_working_tree(project: Path, repo: Path) -> list[str]:
    """Commit, in the clone `repo`, what the project's working tree changes against HEAD: edited and new
    files (those git ignores excepted) and deleted ones. Returns the paths that changed (none: no commit)."""
    listed = _git(project, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for path in filter(None, listed.split("\0")):
        source, target = project / path, repo / path
        if source.is_symlink() or source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)
        elif not source.exists():
            target.unlink(missing_ok=True)
    _git(repo, "add", "--all")
    changed = [path for path in _git(repo, "diff", "--cached", "--name-only").splitlines() if path]
    if changed:
        message = f"rehearsal: the working tree's uncommitted changes ({len(changed)} files)"
        _commit(repo, "--no-verify", "-m", message)
    return changed


def prepare(project: Path, repo: Path) -> None:
    """Clone the project's HEAD, commit its uncommitted changes on top, and add the refs the scenarios use."""
    subprocess.run(["git", "clone", "--quiet", str(project), str(repo)], check=True)
    _git(repo, "checkout", "--quiet", "-B", "main")
    changed = commit_working_tree(project, repo)
    if changed:
        shown = ", ".join(changed[:10]) + (f" and {len(changed) - 10} more" if len(changed) > 10 else "")
        print(f"rehearsal: rehearsing the working tree; uncommitted: {shown}", file=sys.stderr)
    _git(repo, "tag", TAG)
    _git(repo, "branch", "feature/gap-remediation")
    code = _read(repo / CODE_FILE)
    for branch, start, path, text in (
        ("pr-base", "main", CODE_FILE, None),
        ("pr-code", "pr-base", CODE_FILE, code),
        ("pr-docs", "main", DOCS_FILE, _read(repo / DOCS_FILE) + "\nA docs line.\n"),
        (GATE_FAILS, "main", GATE_FAILS_FILE, _read(repo / GATE_FAILS_FILE) + "\nUNFORMATTED=1\n"),
        (LAPTOP_EDIT, "main", LAPTOP_EDIT_FILE, _read(repo / LAPTOP_EDIT_FILE) + "\nAn edit on a laptop.\n"),
    ):
        _git(repo, "checkout", "--quiet", "-b", branch, start)
        file = repo / path
        lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
        file.write_text("".join(lines[:-1]) if text is None else text, encoding="utf-8")
        _commit(repo, "-am", f"rehearsal: {branch}")
    _git(repo, "checkout", "--quiet", "-b", "hotfix/rehearsal", "main")
    _commit(repo, "--allow-empty", "-m", "rehearsal: a hotfix")
    _git(repo, "checkout", "--quiet", "main")
    version = json.loads((repo / "dagger.json").read_text(encoding="utf-8"))["engineVersion"].removeprefix(
        "v"
    )
    laptop = LAPTOP.replace("{version}", version)
    (repo / ".github" / "workflows" / "laptop.yml").write_text(laptop, encoding="utf-8")


def commit(repo: Path, ref: str) -> str:
    return _git(repo, "rev-parse", f"{ref}^{{commit}}")
