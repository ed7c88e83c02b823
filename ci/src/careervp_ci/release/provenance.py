"""Each artifact's provenance: an in-toto Statement v1 whose predicate is SLSA Provenance v1, written by the
build and kept in the store beside the artifact (`sha256-<hex>.provenance.json`), and the check every
deploy road makes before it touches a stack.

The statement is the store's own record, unsigned: it binds a digest to the commit, the ref it was built
for, the lockfiles it was built from and the builder, and it is always there to check, on every target.
GitHub's signed attestation (`actions/attest-build-provenance`, deploy-dev.yml) is made beside it where the
repository's plan offers attestations. Field names follow the specs exactly:
https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md and
https://slsa.dev/spec/v1.0/provenance (`buildDefinition`, `runDetails`, ResourceDescriptor).

`buildType` names this build's recipe (`careervp-ci build`, documented in docs/architecture.md): the source
is `resolvedDependencies[0]` (`git+<repository>@<ref>`, digest `gitCommit`), then each lockfile the build
reads with its `sha256`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from careervp_ci.release.artifact import Digest, sha256_file
from careervp_ci.release.errors import ReleaseFailed
from careervp_ci.release.scratch import host

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://slsa.dev/provenance/v1"
BUILD_TYPE = "urn:careervp:buildtype:careervp-ci-build:v1"
LOCKFILES = ("uv.lock", "frontend/package-lock.json")
"""The lockfiles `careervp-ci build` installs from (gitref.BUILD_INPUTS): the Lambda package, the SPA."""


def builder(environ: Mapping[str, str]) -> tuple[str, str]:
    """(builder id, invocation id): the GitHub workflow run when the runner's variables say so, else this
    host running `careervp-ci build`."""
    server, repository, run = (
        environ.get(name, "") for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    if server and repository and run:
        workflow = environ.get("GITHUB_WORKFLOW_REF", "")
        run_url = f"{server}/{repository}/actions/runs/{run}"
        builder_id = f"{server}/{workflow}" if workflow else run_url
        return builder_id, f"{run_url}/attempts/{environ.get('GITHUB_RUN_ATTEMPT', '1')}"
    return f"urn:careervp:builder:host:{host()}", f"urn:careervp:build:{host()}:{os.getpid()}"


def source_uri(tree: Path, ref: str, environ: Mapping[str, str]) -> str:
    """The source as a SLSA `git+` URI: the GitHub repository when on a runner, else the tree's path."""
    server, repository = environ.get("GITHUB_SERVER_URL", ""), environ.get("GITHUB_REPOSITORY", "")
    where = f"{server}/{repository}" if server and repository else tree.resolve().as_uri()
    return f"git+{where}" + (f"@{ref}" if ref else "")


def statement(
    digest: Digest,
    *,
    commit: str,
    ref: str,
    tree: Path,
    dirty: bool,
    seconds: float,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The statement for the artifact `digest`, built from `tree` (at `commit`, for `ref`) in `seconds`."""
    env = os.environ if environ is None else environ
    ref = ref or env.get("GITHUB_REF", "")
    builder_id, invocation = builder(env)
    finished = datetime.now(UTC).replace(microsecond=0)
    locks = [
        {"name": name, "digest": {"sha256": sha256_file(tree / name)}}
        for name in LOCKFILES
        if (tree / name).is_file()
    ]
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": f"sha256-{digest.hex}.tar", "digest": {"sha256": digest.hex}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": {"source": source_uri(tree, ref, env), "ref": ref},
                "internalParameters": {"dirty": dirty},
                "resolvedDependencies": [
                    {"uri": source_uri(tree, ref, env), "digest": {"gitCommit": commit}},
                    *locks,
                ],
            },
            "runDetails": {
                "builder": {"id": builder_id},
                "metadata": {
                    "invocationId": invocation,
                    "startedOn": _timestamp(finished - timedelta(seconds=round(seconds))),
                    "finishedOn": _timestamp(finished),
                },
            },
        },
    }


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def encode(found: Mapping[str, Any]) -> bytes:
    return (json.dumps(found, indent=2, sort_keys=True) + "\n").encode()


def require_provenance(data: bytes | None, digest: Digest, commit: str, where: str) -> dict[str, Any]:
    """The statement `data` (read from `where`) if it proves `digest` was built from `commit`; else a
    ReleaseFailed naming the digest and what is wrong, before anything is deployed."""
    refused = f"{digest} has no usable provenance in {where}"
    fix = (
        "; nothing was deployed. Rebuild that commit with `careervp-ci build --store STORE` (or publish the "
        "local build with `careervp-ci publish`): the build writes the provenance beside the artifact"
    )
    if data is None:
        raise ReleaseFailed(f"{refused}: the statement is missing{fix}")
    try:
        found = json.loads(data)
        subjects = [item["digest"]["sha256"] for item in found["subject"]]
        kinds = (found["_type"], found["predicateType"])
        sources = found["predicate"]["buildDefinition"]["resolvedDependencies"]
        commits = [item["digest"]["gitCommit"] for item in sources if "gitCommit" in item.get("digest", {})]
    except (ValueError, KeyError, TypeError) as error:
        raise ReleaseFailed(
            f"{refused}: the statement is not an in-toto SLSA statement ({error!r}){fix}"
        ) from None
    if kinds != (STATEMENT_TYPE, PREDICATE_TYPE):
        raise ReleaseFailed(
            f"{refused}: it is a {kinds[0]} of {kinds[1]}, not {STATEMENT_TYPE} of {PREDICATE_TYPE}{fix}"
        )
    if subjects != [digest.hex]:
        named = ", ".join(f"sha256:{hex_}" for hex_ in subjects) or "no digest"
        raise ReleaseFailed(f"{refused}: the statement is about {named}, not this artifact{fix}")
    if commits != [commit]:
        named = ", ".join(commits) or "no commit"
        raise ReleaseFailed(
            f"{refused}: the statement names commit {named}, but the artifact records commit {commit}{fix}"
        )
    return dict(found)
