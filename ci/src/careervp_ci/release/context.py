"""What every release command works with: this machine's state, the source tree, the log, the artifact
store and its ledger, and the checks of a command's inputs (digest, environment, secrets, credentials) made
before it touches anything, so a refusal leaves the environment and the ledger exactly as they were."""

from __future__ import annotations

import os
import secrets as tokens
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Self

import boto3
from botocore.exceptions import BotoCoreError

from careervp_ci.release.artifact import Digest, unpack
from careervp_ci.release.credentials import refuse_partial_environment
from careervp_ci.release.errors import ReleaseRefused
from careervp_ci.release.ledger import Ledger, now
from careervp_ci.release.provenance import require_provenance
from careervp_ci.release.scratch import reclaim, scratch_dir
from careervp_ci.release.state import StateDir
from careervp_ci.release.store import Store, open_store, store_uri
from careervp_ci.release.targets import MODEL_KEY_SECRET, REQUIRED_SECRETS, Target, get_target

Log = Callable[[str], None]


def stderr_log(message: str) -> None:
    print(f"[release] {message}", file=sys.stderr, flush=True)


def new_run() -> str:
    """A release attempt's id: sortable by time, unique across runners."""
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{tokens.token_hex(4)}"


def templates_only(name: str) -> bool:
    """Whether a bundle path is outside the code assets (`assembly/asset.<hash>.zip`, or a folder asset's
    `assembly/asset.<hash>/...`): what a command that compares templates (verify, drift, a change set's
    review) needs on disk."""
    parts = name.split("/")
    return not (len(parts) > 1 and parts[0] == "assembly" and parts[1].startswith("asset."))


@dataclass
class ReleaseContext:
    state: StateDir
    repo: Path
    """The source tree whose verifier and local API the post-deploy checks use."""
    log: Log = stderr_log
    store_uri: str | None = None
    lines: list[str] = field(default_factory=list)
    """Everything this command logged: the failure evidence's `log.txt`."""

    def __post_init__(self) -> None:
        sink = self.log

        def tee(message: str) -> None:
            self.lines.append(f"{now()} {message}")
            sink(message)

        self.log = tee

    @classmethod
    def from_command_line(cls, store: str | None) -> Self:
        """The context of a command run here: partial AWS credentials refused first, state from the
        environment, the working directory as the tree, `--store` (or its default)."""
        refuse_partial_environment(os.environ)
        return cls(StateDir.from_env(), Path.cwd(), store_uri=store_uri(store))

    @cached_property
    def store(self) -> Store:
        return open_store(self.store_uri, self.state.root)

    @cached_property
    def local_store(self) -> Store:
        """Where `build` keeps what it built on this machine (`<state>/artifacts`)."""
        return open_store(None, self.state.root)

    @property
    def ledger(self) -> Ledger:
        return Ledger(self.store.backend)

    def target_for(self, env: str) -> Target:
        return get_target(env)

    def require_secrets(self, target: Target, *, deploying: bool = False) -> dict[str, str]:
        """The secrets the command needs from the environment; a deploy (`deploying`) also needs the model
        API key it stores (`targets.MODEL_KEY_SECRET`), except on an emulator, where none given is '' (the
        deploy keeps the emulator's key, or makes a throwaway one)."""
        wanted = (*REQUIRED_SECRETS, *([MODEL_KEY_SECRET] if deploying else []))
        optional = {MODEL_KEY_SECRET} if target.kind == "emulator" else set()
        if target.ephemeral:
            # Its emulator lives and dies with this command: a throwaway secret made here serves it (the one
            # in the environment, if any, is used instead); nothing is printed.
            found = {name: os.environ.get(name) or tokens.token_urlsafe(32) for name in REQUIRED_SECRETS}
            return found | {name: os.environ.get(name, "") for name in wanted if name in optional}
        missing = [name for name in wanted if not os.environ.get(name) and name not in optional]
        if missing:
            raise ReleaseRefused(
                f"missing secret {', '.join(missing)} for {target.name}: set it in the environment (CI: the "
                "environment's secret) before deploying; nothing was deployed"
            )
        self.require_credentials(target)
        return {name: os.environ.get(name, "") for name in wanted}

    def require_credentials(self, target: Target) -> None:
        if target.kind != "aws":
            return
        try:
            found = boto3.session.Session().get_credentials()
        except BotoCoreError as error:
            raise ReleaseRefused(
                f"the AWS credentials for {target.name} cannot be read: {error}; nothing was touched"
            ) from error
        if found is None:
            raise ReleaseRefused(
                f"missing AWS credentials for {target.name}: no credentials in the environment (OIDC "
                "role, AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY); nothing was touched"
            )

    def require_persistent(self, target: Target, command: str) -> None:
        """`command` reads a running environment: refused for one whose emulator lives inside one command."""
        if target.ephemeral:
            raise ReleaseRefused(
                f"{command} --env {target.name}: {target.name}'s emulator lives only inside one command, "
                f"so there is nothing running to {command}; `careervp-ci deploy --env {target.name}` runs "
                "verify and smoke itself (see `careervp-ci ledger`), or point the target at a running "
                "emulator (endpoint=..., e.g. one `careervp-ci emulator --port PORT` runs)"
            )

    @contextmanager
    def unpacked(self, digest: Digest, *, code: bool = True) -> Iterator[tuple[Path, dict[str, Any]]]:
        """The artifact fetched from the store, digest re-checked, unpacked and checked file by file;
        without `code`, the Lambda code assets are checked but not written (`templates_only`)."""
        reclaim(self.state.work)
        with scratch_dir(self.state.work, "artifact") as scratch:
            tar = self.store.fetch(digest, scratch)
            bundle = scratch / "bundle"
            manifest = unpack(tar, bundle) if code else unpack(tar, bundle, keep=templates_only)
            tar.unlink()
            yield bundle, manifest

    @contextmanager
    def proven(self, digest: Digest) -> Iterator[tuple[Path, dict[str, Any]]]:
        """The artifact `unpacked`, once its provenance in the store names this digest and the commit its
        manifest records (`release.provenance`): what every deploy road takes, and nothing else."""
        with self.unpacked(digest) as (bundle, manifest):
            commit = str(manifest.get("commit", "unknown"))
            require_provenance(self.store.provenance(digest), digest, commit, self.store.uri)
            yield bundle, manifest
