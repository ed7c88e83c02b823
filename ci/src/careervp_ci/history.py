"""The repository's history, read in Python (dulwich, pinned by the lockfiles) instead of by a git binary.

What needs the history, in a container as on the host: which commit a ref names (`hotfix`, `admit-ref`),
whether a commit is on the release line (main or a `v*` tag: the prod gate), and a file as committed at a
ref (`openapi --base-ref`). The toolchain container has no git: installing one from live Debian broke
every fresh engine when a security update retired the pinned version. A ref is what `git rev-parse` takes
without operators: a commit id (full or abbreviated), `HEAD`, or a branch, tag or remote-tracking name.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dulwich.errors import NotGitRepository
from dulwich.graph import can_fast_forward
from dulwich.object_store import tree_lookup_path
from dulwich.objects import Blob, Commit, ObjectID
from dulwich.objectspec import parse_commit
from dulwich.refs import Ref
from dulwich.repo import Repo

from careervp_ci.errors import UsageError

RELEASE_TAGS = "v[0-9]*"
COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
"""A full commit id: SHA-1 (40 hex) or SHA-256 (64 hex) repositories."""
MAIN_REFS = ("refs/remotes/origin/main", "refs/heads/main")


class RefError(UsageError):
    """The ref names no commit here, or there is no history to read; the message says which."""


@contextmanager
def opened(repo: Path) -> Iterator[Repo]:
    """The repository whose work tree (or `.git`) is `repo`; a RefError when there is none."""
    try:
        found = Repo(str(repo))
    except NotGitRepository:
        raise RefError(
            f"{repo} has no git history (no .git): a plain copy of a tree cannot resolve refs; run this "
            "in a clone, or in Dagger pass the checkout's .git"
        ) from None
    try:
        yield found
    finally:
        found.close()


def commit_id(text: str) -> str:
    """`text` as a full commit id (what the checkout's `git rev-parse HEAD` prints), or a RefError
    naming it: an artifact records the commit it was built from, never a ref that moves."""
    if not COMMIT_ID.fullmatch(text):
        raise RefError(
            f"--commit {text!r} is not a full commit id (40 or 64 lowercase hex digits): pass the commit the "
            'tree is, e.g. --commit "$(git rev-parse HEAD)" in its checkout'
        )
    return text


def _commit(repository: Repo, repo: Path, ref: str) -> Commit:
    if not ref or ref.startswith("-"):
        raise RefError(f"invalid git ref {ref!r}: give a branch, tag or commit")
    try:
        return parse_commit(repository, ref.encode())
    except (KeyError, ValueError):
        raise RefError(
            f"unknown git ref {ref!r}: it names no commit in {repo} "
            "(fetch it first, or check the spelling with `git log --oneline`)"
        ) from None


def resolve_commit(repo: Path, ref: str) -> str:
    """The full commit id `ref` names, or a RefError naming the ref (nothing is checked out)."""
    with opened(repo) as repository:
        return _commit(repository, repo, ref).id.decode()


def release_line(repo: Path, commit: str) -> str:
    """Why `commit` may go to prod ('on main', 'tagged v1.2.3'), or '' when it is neither on main nor a
    release tag."""
    with opened(repo) as repository:
        target = _commit(repository, repo, commit)
        names = [name.decode() for name in repository.refs.keys(base=Ref(b"refs/tags/"))]
        tags = sorted(
            tag
            for tag in names
            if fnmatch.fnmatchcase(tag, RELEASE_TAGS) and _peeled(repository, f"refs/tags/{tag}") == target.id
        )
        if tags:
            return f"tagged {tags[-1]}"
        for main in MAIN_REFS:
            head = _peeled(repository, main)
            if head is not None and can_fast_forward(repository, target.id, head):
                return f"on {main.removeprefix('refs/remotes/').removeprefix('refs/heads/')}"
    return ""


def _peeled(repository: Repo, ref: str) -> ObjectID | None:
    """The commit a full ref name points at (an annotated tag peeled), or None when there is no such ref."""
    if Ref(ref.encode()) not in repository.refs:
        return None
    try:
        return parse_commit(repository, ref.encode()).id
    except (KeyError, ValueError):
        return None


def file_at(repo: Path, ref: str, path: str) -> bytes | None:
    """The bytes of `path` as committed at `ref`, or None when that commit has no such file; a RefError
    when the ref names no commit."""
    with opened(repo) as repository:
        commit = _commit(repository, repo, ref)
        try:
            _, sha = tree_lookup_path(repository.__getitem__, commit.tree, path.encode())
        except KeyError:
            return None
        blob = repository[sha]
        return blob.as_raw_string() if isinstance(blob, Blob) else None
