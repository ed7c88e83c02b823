"""Git for the release, in one place: validate a ref, check it out in a throwaway worktree, describe a
tree, and say whether a commit is on the release line (main or a release tag)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from careervp_ci.errors import UsageError

BUILD_INPUTS = ("pyproject.toml", "uv.lock", ".python-version", "Makefile", "ci", "src", "infra")
"""The paths `careervp-ci build` reads. Only they decide whether a tree is dirty: the Dagger path uploads an
allow-listed tree (README.md, dagger.json, ... left out) with the real `.git`, and must record the same
commit and `dirty` as the host build of a clean checkout, or the two builds give two digests."""
RELEASE_TAGS = "v[0-9]*"
MAIN_REFS = ("refs/remotes/origin/main", "refs/heads/main")


class RefError(UsageError):
    """The ref does not name a commit in this repository."""


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # safe.directory: in a container the checkout belongs to another uid, and git would refuse to read it
    return subprocess.run(
        ["git", "-c", f"safe.directory={repo}", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def resolve_commit(repo: Path, ref: str) -> str:
    """The full commit id `ref` names, or a RefError naming the ref (nothing is checked out)."""
    if not ref or ref.startswith("-"):
        raise RefError(f"invalid git ref {ref!r}: give a branch, tag or commit")
    found = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if found.returncode != 0:
        raise RefError(
            f"unknown git ref {ref!r}: it names no commit in {repo} "
            "(fetch it first, or check the spelling with `git log --oneline`)"
        )
    return found.stdout.strip()


def tree_state(src: Path) -> tuple[str, bool]:
    """(HEAD commit, whether the build's inputs have uncommitted changes) of the tree at `src`."""
    head = _git(src, "rev-parse", "HEAD")
    if head.returncode != 0:
        return "unknown", True
    status = _git(src, "status", "--porcelain", "--untracked-files=no", "--", *BUILD_INPUTS)
    return head.stdout.strip(), bool(status.stdout.strip()) or status.returncode != 0


def release_line(repo: Path, commit: str) -> str:
    """Why `commit` may go to prod ('on main', 'tagged v1.2.3'), or '' when it is neither on main nor a
    release tag."""
    tags = _git(repo, "tag", "--points-at", commit, "--list", RELEASE_TAGS).stdout.split()
    if tags:
        return f"tagged {sorted(tags)[-1]}"
    for main in MAIN_REFS:
        known = _git(repo, "rev-parse", "--verify", "--quiet", main).returncode == 0
        if known and _git(repo, "merge-base", "--is-ancestor", commit, main).returncode == 0:
            return f"on {main.removeprefix('refs/remotes/').removeprefix('refs/heads/')}"
    return ""


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
