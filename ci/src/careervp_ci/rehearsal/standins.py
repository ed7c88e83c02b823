"""The one table of stand-ins for the `uses:` steps a rehearsal meets (no GitHub, no registry, no AWS here).

Each stand-in does locally what the action does on GitHub, checks the inputs the action would check, and fails
loudly where the action would fail. An action missing from this table stops the rehearsal, naming it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs

from careervp_ci.rehearsal.tree import compile_pattern


class StepFailed(Exception):
    """A stand-in refused, as the action would have."""


@dataclass
class Job:
    """What a stand-in may read and change of the job that runs it."""

    workflow: str
    name: str
    workspace: Path
    env: dict[str, str]
    permissions: Mapping[str, str]
    environment: str
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    """State that outlives a job the way it does on GitHub: the repository, artifacts, attestations."""

    repo: Path
    sha: str
    ref: str
    base_sha: str
    artifacts: Path
    attestations: Path
    engine_version: str
    emulator_credentials: Mapping[str, str]


def _checkout(run: Run, job: Job, inputs: Mapping[str, Any]) -> None:
    """A clone of the rehearsed repository at the event's commit, or at `ref:` when the step gives one."""
    ref = str(inputs.get("ref") or run.sha)
    subprocess.run(
        ["git", "clone", "--quiet", "--no-checkout", str(run.repo), str(job.workspace)], check=True
    )
    branch = subprocess.run(
        ["git", "-C", str(job.workspace), "rev-parse", "--verify", "--quiet", f"refs/remotes/origin/{ref}"],
        capture_output=True,
        check=False,
    )
    # Like the action: a branch is checked out as a local branch of that name, anything else detached.
    where = ["-B", ref, f"refs/remotes/origin/{ref}"] if branch.returncode == 0 else ["--detach", ref]
    done = subprocess.run(
        ["git", "-C", str(job.workspace), "checkout", "--quiet", *where],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise StepFailed(f"checkout: ref {ref!r} not found: {done.stderr.strip()}")


def _dagger(run: Run, job: Job, inputs: Mapping[str, Any]) -> None:
    wanted = str(inputs.get("version", ""))
    if wanted != run.engine_version:
        raise StepFailed(
            f"dagger-for-github installs Dagger {wanted!r}, but dagger.json pins the engine "
            f"v{run.engine_version}: keep them equal"
        )


def _aws_credentials(run: Run, job: Job, inputs: Mapping[str, Any]) -> None:
    if job.permissions.get("id-token") != "write":
        raise StepFailed(
            "configure-aws-credentials with a role needs `permissions: id-token: write` in the job"
        )
    role, region = str(inputs.get("role-to-assume") or ""), str(inputs.get("aws-region") or "")
    if not role:
        raise StepFailed(
            "configure-aws-credentials: role-to-assume is empty (is the environment's secret set?)"
        )
    if not region:
        raise StepFailed("configure-aws-credentials: aws-region is empty (is vars.AWS_REGION set?)")
    # What the action exports after assuming a role: a key pair and a session token (the emulator's).
    job.env.update({**run.emulator_credentials, "AWS_SESSION_TOKEN": "rehearsal-session-token"})
    job.env.update({"AWS_REGION": region, "AWS_DEFAULT_REGION": region})


def _upload(run: Run, job: Job, inputs: Mapping[str, Any]) -> None:
    """Like the action, files are kept relative to the paths' common ancestor: a single folder uploads its
    contents, a single file itself."""
    name, paths = str(inputs.get("name") or "artifact"), str(inputs.get("path") or "")
    target = run.artifacts / name
    found = [job.workspace / line.strip() for line in paths.splitlines() if line.strip()]
    existing = [path for path in found if path.exists()]
    if not existing and inputs.get("if-no-files-found", "warn") == "error":
        raise StepFailed(f"upload-artifact {name!r}: no files found at {paths.strip()!r}")
    target.mkdir(parents=True, exist_ok=True)
    roots = [path if path.is_dir() else path.parent for path in existing]
    root = Path(os.path.commonpath(roots)) if roots else job.workspace
    for path in existing:
        if path.is_dir():
            shutil.copytree(path, target / path.relative_to(root), dirs_exist_ok=True)
        else:
            (target / path.relative_to(root)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / path.relative_to(root))


def _download(run: Run, job: Job, inputs: Mapping[str, Any]) -> None:
    name = str(inputs.get("name") or "")
    source = run.artifacts / name
    if not source.is_dir():
        raise StepFailed(f"download-artifact: no artifact named {name!r} was uploaded earlier in this run")
    shutil.copytree(source, job.workspace / str(inputs.get("path") or "."), dirs_exist_ok=True)


def _attest(run: Run, job: Job, inputs: Mapping[str, Any]) -> None:
    if job.permissions.get("id-token") != "write" or job.permissions.get("attestations") != "write":
        raise StepFailed("attest-build-provenance needs `id-token: write` and `attestations: write`")
    subject = job.workspace / str(inputs.get("subject-path") or "")
    if not subject.is_file():
        raise StepFailed(f"attest-build-provenance: subject {subject.name!r} does not exist")
    digest = hashlib.sha256(subject.read_bytes()).hexdigest()
    record = {"sha256": digest, "workflow": job.workflow, "ref": run.ref}
    with run.attestations.open("a", encoding="utf-8") as stream:
        stream.write(json.dumps(record) + "\n")


def _sarif(run: Run, job: Job, inputs: Mapping[str, Any]) -> None:
    path = job.workspace / str(inputs.get("sarif_file") or "")
    if not path.exists():
        raise StepFailed(f"upload-sarif: {path.name!r} does not exist")


def _codecov(run: Run, job: Job, inputs: Mapping[str, Any]) -> None:
    """No upload from here: the report must exist and a token must have been passed (`fail_ci_if_error`)."""
    report = job.workspace / str(inputs.get("files") or "")
    if not report.is_file():
        raise StepFailed(f"codecov-action: {inputs.get('files')!r} does not exist")
    if not inputs.get("token") and inputs.get("fail_ci_if_error"):
        raise StepFailed("codecov-action: no token (is CODECOV_TOKEN passed to the reusable workflow?)")


def _labeler(run: Run, job: Job, inputs: Mapping[str, Any]) -> None:
    """The labels the action would set, from the configuration at the commit and the pull request's diff."""
    if job.permissions.get("pull-requests") != "write":
        raise StepFailed("labeler needs `permissions: pull-requests: write`")
    path = str(inputs.get("configuration-path") or ".github/labeler.yml")
    shown = subprocess.run(
        ["git", "-C", str(run.repo), "show", f"{run.sha}:{path}"], capture_output=True, text=True, check=False
    )
    if shown.returncode != 0:
        raise StepFailed(f"labeler: no {path} at {run.sha[:12]}")
    changed = _changed(run)
    labels = []
    for label, rules in (yaml.safe_load(shown.stdout) or {}).items():
        for rule in rules:
            for matcher in rule.get("changed-files", []):
                unknown = set(matcher) - {"any-glob-to-any-file"}
                if unknown:
                    raise StepFailed(f"labeler rule {label!r}: {sorted(unknown)} is not rehearsed")
                globs = matcher["any-glob-to-any-file"]
                globs = [globs] if isinstance(globs, str) else globs
                if any(matches(file, glob) for file in changed for glob in globs):
                    labels.append(label)
    job.outputs["new-labels"] = ",".join(dict.fromkeys(labels))
    job.outputs["all-labels"] = job.outputs["new-labels"]


def _changed(run: Run) -> list[str]:
    return subprocess.run(
        ["git", "-C", str(run.repo), "diff", "--name-only", run.base_sha, run.sha],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()


def matches(path: str, pattern: str) -> bool:
    return compile_pattern(pattern).regex.match(path) is not None or (
        pattern.startswith("**/") and compile_pattern(pattern[3:]).regex.match(path) is not None
    )


def _paths_filter(run: Run, job: Job, inputs: Mapping[str, Any]) -> None:
    changed = _changed(run)
    every = inputs.get("predicate-quantifier", "some") == "every"
    for name, patterns in yaml.safe_load(str(inputs["filters"])).items():

        def hit(path: str, patterns: list[str] = patterns) -> bool:
            checks = [not matches(path, p[1:]) if p.startswith("!") else matches(path, p) for p in patterns]
            return all(checks) if every else any(checks)

        job.outputs[name] = "true" if any(hit(path) for path in changed) else "false"


StandIn = Callable[[Run, Job, Mapping[str, Any]], None]
STAND_INS: dict[str, StandIn] = {
    "actions/checkout": _checkout,
    "dagger/dagger-for-github": _dagger,
    "aws-actions/configure-aws-credentials": _aws_credentials,
    "actions/upload-artifact": _upload,
    "actions/download-artifact": _download,
    "actions/attest-build-provenance": _attest,
    "github/codeql-action/upload-sarif": _sarif,
    "dorny/paths-filter": _paths_filter,
    "codecov/codecov-action": _codecov,
    "actions/labeler": _labeler,
}
"""action (without @version) -> what it does here. checkout: a clone of the rehearsed commit; dagger: the
rehearsal's `dagger` (already on PATH); configure-aws-credentials: the emulator's credentials; artifacts:
a folder per run; attest: a recorded sha256 that `gh attestation verify` checks; paths-filter: the diff;
codecov: the report and the token are there (nothing is uploaded); labeler: the labels its rules give."""


def stand_in(action: str) -> StandIn:
    name = action.split("@", 1)[0]
    if name not in STAND_INS:
        raise StepFailed(f"`uses: {action}` has no stand-in in careervp_ci.rehearsal.standins; add one")
    return STAND_INS[name]
