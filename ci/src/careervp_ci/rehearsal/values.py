"""What a rehearsed query yields (containers, folders, files, secrets, caches) and how each is keyed.

Shared by the query resolver (`resolver`), which makes these values call by call, and the layer store
(`layers`), which runs a container's state in podman; neither imports the other for them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath


class RehearsalGap(Exception):
    """The query asks for something the rehearsal does not execute: it fails loudly, naming the call."""


@dataclass(frozen=True)
class DirValue:
    path: Path
    digest: str


@dataclass(frozen=True)
class FileValue:
    path: Path
    digest: str


@dataclass(frozen=True)
class SecretValue:
    plaintext: str

    @property
    def digest(self) -> str:
        """Secrets enter cache keys by the hash of their value, as in the engine, never the value."""
        return hashlib.sha256(self.plaintext.encode()).hexdigest()


@dataclass(frozen=True)
class CacheValue:
    key: str


class HostValue:
    """`dag.host()`: the machine the CLI runs on."""


@dataclass(frozen=True)
class ContainerState:
    key: str
    image: str = ""
    pending: tuple[tuple[str, Path], ...] = ()
    """Copies (container path, host file or folder) made since `image` was committed."""
    env: tuple[tuple[str, str], ...] = ()
    secrets: tuple[tuple[str, SecretValue], ...] = ()
    workdir: str = "/"
    mounts: tuple[tuple[str, str], ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    stdout: str = ""
    stderr: str = ""
    fresh: bool = False
    """Whether a layer of this container ran in this call (not reused from the store): the toolchain was
    built, not found cached."""

    def with_env(self, name: str, value: str) -> ContainerState:
        return replace(self, env=(*((k, v) for k, v in self.env if k != name), (name, value)))

    def with_label(self, name: str, value: str) -> ContainerState:
        return replace(self, labels=(*((k, v) for k, v in self.labels if k != name), (name, value)))

    def absolute(self, path: str) -> str:
        """`path` as the container reads it: relative to its working directory."""
        return str(PurePosixPath(self.workdir) / path)


Value = ContainerState | DirValue | FileValue | SecretValue | CacheValue | HostValue | None


def chain(key: str, *parts: object) -> str:
    """The key of a value made from the one keyed `key` by a call with `parts`."""
    return hashlib.sha256(json.dumps([key, *parts], sort_keys=True, default=str).encode()).hexdigest()
