"""The history read without git (`careervp_ci.history`): refs to commits, the release line, a file at a ref.

Every read runs with a `git` first on PATH that fails, as in the Dagger container, which has none; the
tests make their repositories with the real git, by its full path."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from careervp_ci.history import RefError, commit_id, file_at, release_line, resolve_commit
from support.git import GIT, git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main with one commit holding docs/spec.json, and a branch `fix` one commit past it."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / "docs").mkdir()
    (path / "docs" / "spec.json").write_text('{"v": 1}\n')
    git(path, "add", ".")
    git(path, "commit", "-qm", "first")
    git(path, "switch", "-qc", "fix")
    (path / "docs" / "spec.json").write_text('{"v": 2}\n')
    git(path, "commit", "-qam", "fix")
    git(path, "switch", "-q", "main")
    return path


@pytest.fixture(autouse=True)
def no_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After the fixtures made the repository with git, git is gone (a stub that fails)."""
    stub = tmp_path / "no-git" / "git"
    stub.parent.mkdir()
    stub.write_text("#!/bin/sh\nexit 97\n")
    stub.chmod(0o755)
    monkeypatch.setenv("PATH", f"{stub.parent}{os.pathsep}{os.environ['PATH']}")


def test_a_ref_resolves_to_its_full_commit_id(repo: Path) -> None:
    fix = git(repo, "rev-parse", "fix")
    assert resolve_commit(repo, "fix") == fix
    assert resolve_commit(repo, fix[:10]) == fix
    assert resolve_commit(repo, "HEAD") == git(repo, "rev-parse", "main")


def test_an_unknown_or_option_like_ref_is_refused_naming_it(repo: Path) -> None:
    with pytest.raises(RefError, match="unknown git ref 'no-such-branch'"):
        resolve_commit(repo, "no-such-branch")
    with pytest.raises(RefError, match="invalid git ref '--output=/tmp/x'"):
        resolve_commit(repo, "--output=/tmp/x")


def test_a_tree_without_history_says_so(tmp_path: Path) -> None:
    (tmp_path / "copy").mkdir()
    with pytest.raises(RefError, match="has no git history"):
        resolve_commit(tmp_path / "copy", "HEAD")


def test_only_main_or_a_release_tag_is_on_the_release_line(repo: Path) -> None:
    fix = git(repo, "rev-parse", "fix")
    assert release_line(repo, "main") == "on main"
    assert release_line(repo, fix) == ""
    git(repo, "tag", "not-a-release", fix)
    assert release_line(repo, fix) == ""
    git(repo, "tag", "-a", "-m", "annotated", "v1.2.3", fix)
    assert release_line(repo, fix) == "tagged v1.2.3"


def test_a_clone_knows_main_as_its_remote_tracking_branch(repo: Path, tmp_path: Path) -> None:
    fix = git(repo, "rev-parse", "fix")
    clone = tmp_path / "clone"
    subprocess.run([GIT, "clone", "-q", "--no-checkout", str(repo), str(clone)], check=True)
    subprocess.run([GIT, "-C", str(clone), "checkout", "-q", "--detach", fix], check=True)
    subprocess.run([GIT, "-C", str(clone), "branch", "-q", "-D", "main"], check=True)
    assert release_line(clone, git(repo, "rev-parse", "main")) == "on origin/main"
    assert release_line(clone, fix) == ""


def test_a_file_is_read_as_committed_at_a_ref(repo: Path) -> None:
    (repo / "docs" / "spec.json").write_text("uncommitted\n")
    assert file_at(repo, "main", "docs/spec.json") == b'{"v": 1}\n'
    assert file_at(repo, "fix", "docs/spec.json") == b'{"v": 2}\n'
    assert file_at(repo, "main", "docs/absent.json") is None
    with pytest.raises(RefError, match="unknown git ref 'gone'"):
        file_at(repo, "gone", "docs/spec.json")


def test_a_worktree_reads_the_history_of_its_repository(repo: Path, tmp_path: Path) -> None:
    worktree = tmp_path / "worktree"
    subprocess.run([GIT, "-C", str(repo), "worktree", "add", "-q", str(worktree), "fix"], check=True)
    assert resolve_commit(worktree, "HEAD") == git(repo, "rev-parse", "fix")
    assert release_line(worktree, "main") == "on main"


@pytest.mark.parametrize("text", ["main", "HEAD", "abc123", "AB" * 20, "ab" * 19, " " + "ab" * 20])
def test_a_commit_id_is_a_full_lowercase_hex_id_and_nothing_else(text: str) -> None:
    with pytest.raises(RefError, match="is not a full commit id"):
        commit_id(text)


def test_sha1_and_sha256_commit_ids_are_taken_as_given() -> None:
    assert commit_id("ab" * 20) == "ab" * 20
    assert commit_id("cd" * 32) == "cd" * 32
