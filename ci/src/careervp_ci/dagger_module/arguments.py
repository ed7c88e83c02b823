"""The Dagger module's argument types: the tree it uploads, and what every release call names."""

from __future__ import annotations

from typing import Annotated, Final

import dagger
from dagger import DefaultPath, Doc, Ignore

SOURCE_ALLOW_LIST: Final = [
    "*",
    "!pyproject.toml",
    "!uv.lock",
    "!.python-version",
    "!package.json",
    "!package-lock.json",
    "!Makefile",
    "!ci/",
    "!src/",
    "!infra/",
    "!frontend/",
    "!tests/",
    "!bench/",
    "!docs/",
    "!.github/",
    "!*.md",
    "!dagger.json",
    "!.mdformat.toml",
    "!.secrets.baseline",
    "ci/sdk/",
    "**/.venv/",
    "**/node_modules/",
    "frontend/dist/",
    "**/__pycache__/",
    "**/*.pyc",
    "**/cdk.out/",
    "**/.mypy_cache/",
    "**/.pytest_cache/",
    "**/.ruff_cache/",
]
"""Only what the steps read is uploaded: a small upload and a cache key that local clutter cannot move."""

Env = Annotated[str, Doc("target environment: local (the AWS emulator), dev, staging, prod")]
Store = Annotated[str, Doc("the artifact store holding artifacts and release history: s3://bucket/prefix")]
ResultStoreUri = Annotated[
    str,
    Doc(
        "the step-result store: s3://bucket/prefix (the artifact store; results/ under it), or engine "
        "(a cache volume of this engine, written by every call: a laptop's edit loop); empty: every step runs"
    ),
]
WriteResults = Annotated[
    bool, Doc("publish each passing step to the result store: trusted runs only (main), never a fork's PR")
]
AwsKeyId = Annotated[dagger.Secret | None, Doc("AWS access key id, e.g. env:AWS_ACCESS_KEY_ID")]
AwsSecretKey = Annotated[dagger.Secret | None, Doc("AWS secret access key, e.g. env:AWS_SECRET_ACCESS_KEY")]
AwsSessionToken = Annotated[dagger.Secret | None, Doc("AWS session token (OIDC/assumed role)")]
AwsRegion = Annotated[str, Doc("AWS region; empty: the environment's own")]
WebhookSecret = Annotated[
    dagger.Secret | None, Doc("the environment's Stripe webhook signing secret (the smoke signs a replay)")
]
ModelKey = Annotated[
    dagger.Secret | None,
    Doc("the environment's Anthropic API key: the deploy stores it in Secrets Manager for the functions"),
]
GitDir = Annotated[
    dagger.Directory,
    Doc("the repository's .git folder: history for admit-ref, hotfix and openapi --base-ref (no git runs)"),
    DefaultPath("/.git"),
]
"""Only the calls that ask the history a question take it (which commit a ref names, the release line, the
base's contract); `careervp_ci.history` reads it in Python. A build never does: its cache key would move
with every fetch, and a worktree's `.git` is a file."""
Commit = Annotated[
    str,
    Doc('the full commit id the tree is, recorded in the artifact: --commit "$(git rev-parse HEAD)"'),
]
"""Given by whoever checked the tree out: the container has no git to ask, and one commit must build one
digest whether the tree came from a clone, a worktree or a plain copy."""
Source = Annotated[
    dagger.Directory,
    Doc("the project tree (default: the repository root, allow-listed)"),
    DefaultPath("/"),
    Ignore(SOURCE_ALLOW_LIST),
]
"""Every function's `--src`, like the host CLI's `--src DIR` (`dagger call ci --src .`). DefaultPath makes it
optional on the CLI; the SDK refuses a Python default beside it, so none is given."""
Digest = Annotated[str, Doc("the artifact's digest, sha256:<64 hex>; anything else is refused")]
