"""Reading the Dagger module's recipes without an engine: the lazy query a function builds
(`_ctx.selections`), with the three calls that would reach an engine stood in for and recorded."""

from __future__ import annotations

from typing import Any

import dagger
import pytest
from dagger import dag

FAKE_DIGEST = "sha256:" + "ab" * 32
COMMIT = "c0ffee" * 6 + "abcd"
"""A full commit id, as a runner passes `--commit "$GITHUB_SHA"`."""
CREDENTIALS = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}


def calls(obj: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(selection.name, selection.args) for selection in obj._ctx.selections]


def execs(obj: Any) -> list[list[str]]:
    return [args["args"] for name, args in calls(obj) if name == "withExec"]


def cache_keys(container: Any) -> dict[str, str]:
    """Each mount path of `container` -> the key of the cache volume mounted there."""
    return {
        args["path"]: calls(args["cache"])[-1][1]["key"]
        for name, args in calls(container)
        if name == "withMountedCache"
    }


def tree() -> dagger.Directory:
    """A lazy host directory: never read, since no engine runs here."""
    return dag.host().directory("/nonexistent-tree")


def recorded_run(monkeypatch: pytest.MonkeyPatch, output: str = "done") -> list[dagger.Container]:
    """Engine-free stand-ins for a file digest, sync, stdout (which prints `output`) and stderr (empty),
    recording every container a function syncs."""
    seen: list[dagger.Container] = []

    async def digest(self: dagger.File, **_: Any) -> str:
        return FAKE_DIGEST

    async def sync(self: dagger.Container) -> dagger.Container:
        seen.append(self)
        return self

    async def stdout(self: dagger.Container) -> str:
        return output

    async def stderr(self: dagger.Container) -> str:
        return ""

    monkeypatch.setattr(dagger.File, "digest", digest)
    monkeypatch.setattr(dagger.Container, "stderr", stderr)
    monkeypatch.setattr(dagger.Container, "sync", sync)
    monkeypatch.setattr(dagger.Container, "stdout", stdout)
    return seen


def secret_and_plain_names(container: dagger.Container) -> tuple[set[str], set[str]]:
    steps = calls(container)
    secret = {args["name"] for name, args in steps if name == "withSecretVariable"}
    return secret, {args["name"] for name, args in steps if name == "withEnvVariable"}


def aws_secrets() -> tuple[dagger.Secret, dagger.Secret, dagger.Secret]:
    return (
        dag.set_secret("id", "AKIA-NOT-REAL"),
        dag.set_secret("key", "not-a-real-key"),
        dag.set_secret("token", "not-a-real-token"),
    )
