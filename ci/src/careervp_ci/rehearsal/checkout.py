"""actions/checkout as its code fetches (src/input-helper.ts, src/ref-helper.ts at the pinned SHA): the
refspecs, the depth and the tags it asks for, so a job sees the history a real runner has and no more
(fetch-depth 1: one commit, no tags, no other branch)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

from careervp_ci.rehearsal.context import Job, Run, StepFailed
from careervp_ci.rehearsal.facts import SHA, Action

TAGS = "+refs/tags/*:refs/tags/*"


def checkout(run: Run, job: Job, action: Action, inputs: Mapping[str, str]) -> None:
    if inputs["repository"] != run.github["repository"]:
        raise StepFailed(f"checkout of another repository ({inputs['repository']!r}) is not rehearsed")
    ref, commit = inputs["ref"], ""
    if not ref:
        ref, commit = run.ref, run.sha
    elif SHA.fullmatch(ref):
        ref, commit = "", ref
    try:
        depth = int(float(inputs["fetch-depth"] or "1"))
    except ValueError as error:
        raise StepFailed(f"checkout: fetch-depth {inputs['fetch-depth']!r} is not a number") from error
    target = job.workspace / inputs["path"] if inputs["path"] else job.workspace
    git = _git(target)
    git("init", "--quiet")
    git("remote", "add", "origin", f"file://{run.repo}")
    fetch = ["-c", "protocol.version=2", "fetch", "--prune", "--no-recurse-submodules", "--quiet"]
    if depth <= 0:
        git(*fetch, "origin", *_all_history(ref, commit))
        if not _ref_is_at(git, ref, commit):  # the branch moved since the run started: fetch the run's commit
            git(*fetch, "origin", *_refspec(ref, commit))
    else:
        specs = _refspec(ref, commit)
        tags = [] if inputs["fetch-tags"].upper() == "TRUE" else ["--no-tags"]
        git(*fetch, *tags, f"--depth={depth}", "origin", *specs)
    name, start = _checkout_info(git, ref, commit)
    git("checkout", "--quiet", "--force", *(["-B", name, start] if start else [name]))
    if inputs["persist-credentials"].upper() == "TRUE":
        # What the action leaves in the clone's config for later git commands (its post step removes it).
        git("config", "--local", "http.https://github.com/.extraheader", "AUTHORIZATION: basic ***")
    job.outputs["ref"] = ref
    job.outputs["commit"] = git("rev-parse", "HEAD").strip()


def _git(where: Path) -> Callable[..., str]:
    where.mkdir(parents=True, exist_ok=True)

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise StepFailed(f"checkout: git {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    return git


def _all_history(ref: str, commit: str) -> list[str]:
    """fetch-depth 0: every branch and tag, and the pull request's ref when that is what runs."""
    specs = ["+refs/heads/*:refs/remotes/origin/*", TAGS]
    if ref.upper().startswith("REFS/PULL/"):
        specs.append(f"+{commit or ref}:refs/remotes/pull/{ref[len('refs/pull/') :]}")
    return specs


def _ref_is_at(git: Callable[..., str], ref: str, commit: str) -> bool:
    """`testRef` (src/ref-helper.ts), which src/git-source-provider.ts calls after a fetch-depth 0 fetch and,
    when false, fetches again with `getRefSpec`: does the fetched ref still name the run's commit? (A schedule
    or push run keeps its commit when the branch has moved on since.)"""
    if not commit or not ref:
        return not commit or _exists(git, commit)
    upper = ref.upper()
    if upper.startswith("REFS/HEADS/"):
        remote = f"refs/remotes/origin/{ref[len('refs/heads/') :]}"
        return _exists(git, remote) and git("rev-parse", remote).strip() == commit
    if upper.startswith("REFS/TAGS/"):
        return _exists(git, ref) and git("rev-parse", ref).strip() == commit
    return True  # refs/pull/ was fetched by its commit; anything else the action does not test


def _refspec(ref: str, commit: str) -> list[str]:
    """A shallow fetch: the one ref (or commit) the job runs on, into the name the action gives it."""
    upper = ref.upper()
    if commit:
        if upper.startswith("REFS/HEADS/"):
            return [f"+{commit}:refs/remotes/origin/{ref[len('refs/heads/') :]}"]
        if upper.startswith("REFS/PULL/"):
            return [f"+{commit}:refs/remotes/pull/{ref[len('refs/pull/') :]}"]
        if upper.startswith("REFS/TAGS/"):
            return [f"+{commit}:{ref}"]
        return [commit]
    if not upper.startswith("REFS/"):
        return [f"+refs/heads/{ref}*:refs/remotes/origin/{ref}*", f"+refs/tags/{ref}*:refs/tags/{ref}*"]
    if upper.startswith("REFS/HEADS/"):
        return [f"+{ref}:refs/remotes/origin/{ref[len('refs/heads/') :]}"]
    if upper.startswith("REFS/PULL/"):
        return [f"+{ref}:refs/remotes/pull/{ref[len('refs/pull/') :]}"]
    return [f"+{ref}:{ref}"]


def _checkout_info(git: Callable[..., str], ref: str, commit: str) -> tuple[str, str]:
    """What to check out and, for a branch, the remote ref a local branch of that name starts from."""
    upper = ref.upper()
    if not ref:
        return commit, ""
    if upper.startswith("REFS/HEADS/"):
        branch = ref[len("refs/heads/") :]
        return branch, f"refs/remotes/origin/{branch}"
    if upper.startswith("REFS/PULL/"):
        return f"refs/remotes/pull/{ref[len('refs/pull/') :]}", ""
    if upper.startswith("REFS/TAGS/"):
        return ref, ""
    if upper.startswith("REFS/"):
        return commit or ref, ""
    if _exists(git, f"refs/remotes/origin/{ref}"):
        return ref, f"refs/remotes/origin/{ref}"
    if _exists(git, f"refs/tags/{ref}"):
        return f"refs/tags/{ref}", ""
    raise StepFailed(f"checkout: A branch or tag with the name {ref!r} could not be found")


def _exists(git: Callable[..., str], name: str) -> bool:
    try:
        git("rev-parse", "--verify", "--quiet", name)
    except StepFailed:
        return False
    return True
