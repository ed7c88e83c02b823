"""One commit builds one digest at any checkout: a clone (the session's `built`), a git worktree, and a plain
copy of the tree with no `.git` at all, given the commit as the Dagger container is (`build --commit`).

The plain copy's build runs with a `git` first on PATH that records any call and fails: the path a
container takes (it has no git) must not need one.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from support.release_cli import Built, process_env, run_cli

pytestmark = pytest.mark.slow
NO_GIT = '#!/bin/sh\necho "git $*" >> "{marker}"\nexit 97\n'


def no_git_path(folder: Path) -> tuple[str, Path]:
    """A PATH whose first `git` fails and records its arguments in the returned marker file."""
    folder.mkdir()
    marker = folder / "git-calls.txt"
    stub = folder / "git"
    stub.write_text(NO_GIT.format(marker=marker), encoding="utf-8")
    stub.chmod(0o755)
    return f"{folder}:{process_env()['PATH']}", marker


def test_one_commit_builds_one_digest_from_a_clone_a_worktree_and_a_plain_copy(
    built: Built, tmp_path: Path
) -> None:
    worktree, copy = tmp_path / "worktree", tmp_path / "a" / "plain" / "copy"
    subprocess.run(
        [
            "git",
            "-C",
            str(built.clone),
            "worktree",
            "add",
            "--quiet",
            "--detach",
            str(worktree),
            built.commit,
        ],
        check=True,
    )
    shutil.copytree(built.clone, copy, ignore=shutil.ignore_patterns(".git", ".careervp"))
    assert (worktree / ".git").is_file() and not (copy / ".git").exists()

    from_worktree = run_cli(worktree, process_env(), "build", "--src", str(worktree))
    path, marker = no_git_path(tmp_path / "no-git")
    from_copy = run_cli(copy, process_env(PATH=path), "build", "--src", str(copy), "--commit", built.commit)

    assert from_worktree.code == 0, from_worktree.err[-3000:]
    assert from_copy.code == 0, from_copy.err[-3000:]
    assert not marker.exists(), f"the build given --commit ran git: {marker.read_text()}"
    digests = {"clone": built.digest, "worktree": from_worktree.out.strip(), "copy": from_copy.out.strip()}
    assert len(set(digests.values())) == 1, digests
    print(f"\none commit {built.commit[:12]}, one digest: {digests}")


def test_a_commit_is_a_full_id_and_names_a_tree_as_it_is_never_a_ref(tmp_path: Path) -> None:
    """Refused before any work: a ref moves, so the artifact would not say what was built."""
    refused = run_cli(tmp_path, process_env(), "build", "--src", str(tmp_path), "--commit", "main")
    assert refused.code == 2
    assert "--commit 'main' is not a full commit id" in refused.err
    both = run_cli(tmp_path, process_env(), "build", "--ref", "HEAD", "--commit", "ab" * 20)
    assert both.code == 2 and "build takes --ref 'HEAD' or --commit" in both.err
