"""Git refs for the release: validate a ref, check it out in a throwaway worktree, describe a tree."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class RefError(Exception):
    """The ref does not name a commit in this repository."""


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)


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
    """(HEAD commit, whether the tree has uncommitted changes) of the tree at `src`."""
    head = _git(src, "rev-parse", "HEAD")
    if head.returncode != 0:
        return "unknown", True
    status = _git(src, "status", "--porcelain", "--untracked-files=no")
    return head.stdout.strip(), bool(status.stdout.strip())


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
