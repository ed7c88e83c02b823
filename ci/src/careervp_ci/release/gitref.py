"""Git on the host only: describe the tree a host build reads, and check a commit out in a throwaway
worktree. Nothing here runs in a container (the toolchain has no git); what a container needs from the
history, `careervp_ci.history` reads without git, and what a build records comes in as `--commit`."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from careervp_ci.history import RefError

BUILD_INPUTS = ("pyproject.toml", "uv.lock", ".python-version", "Makefile", "ci", "src", "infra", "frontend")
"""The paths `careervp-ci build` reads. Only they decide whether a tree is dirty: files the build never
reads (README.md, dagger.json, ...) must not change the manifest, or two builds of one commit give two
digests."""


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)


def tree_state(src: Path) -> tuple[str, bool]:
    """(HEAD commit, whether the build's inputs have uncommitted changes) of the tree at `src`; ('unknown',
    True) when git cannot tell (no checkout, or no git on this machine: pass `--commit` there)."""
    try:
        head = _git(src, "rev-parse", "HEAD")
    except FileNotFoundError:
        return "unknown", True
    if head.returncode != 0:
        return "unknown", True
    status = _git(src, "status", "--porcelain", "--untracked-files=no", "--", *BUILD_INPUTS)
    return head.stdout.strip(), bool(status.stdout.strip()) or status.returncode != 0


@contextmanager
def worktree(repo: Path, commit: str) -> Iterator[Path]:
    """A detached worktree of `commit`, removed afterwards (also when the block fails)."""
    parent = Path(tempfile.mkdtemp(prefix="careervp-worktree-"))
    path = parent / "src"
    added = _git(repo, "worktree", "add", "--detach", "--quiet", str(path), commit)
    if added.returncode != 0:
        shutil.rmtree(parent, ignore_errors=True)
        raise RefError(f"could not check out {commit} in a worktree: {added.stderr.strip()}")
    try:
        yield path
    finally:
        _git(repo, "worktree", "remove", "--force", str(path))
        shutil.rmtree(parent, ignore_errors=True)
        _git(repo, "worktree", "prune")
