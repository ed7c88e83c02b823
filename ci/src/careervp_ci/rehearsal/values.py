"""What a rehearsed query yields (containers, folders, files, secrets, caches) and how each is keyed.

Shared by the query resolver (`resolver`), which makes these values call by call, and the layer store
(`layers`), which runs a container's state in podman; neither imports the other for them.
"""

from __future__ import annotations

import hashlib
import json
import types
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from dagger import QueryError
from dagger._exceptions import QueryErrorValue


class RehearsalGap(Exception):
    """The query asks for something the rehearsal does not execute: it fails loudly, naming the call."""


def engine_error(message: str, extensions: dict[str, object] | None = None) -> QueryError:
    """The error the SDK raises when the engine refuses a call: a QueryError, as module code sees it (with
    `extensions` of `_type` EXEC_ERROR, the SDK raises it as an ExecError)."""
    value = QueryErrorValue(message=message, extensions=extensions or {})
    return QueryError([value], types.SimpleNamespace(document=None))  # type: ignore[arg-type]


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
    """A secret bound to the session: its plaintext (never in a repr, so never in an error naming a call)
    and what keys it. The engine keys it by its session handle (core/secret.go): an argon2 hash of the
    plaintext with the engine's salt, the hash of a `cacheKey` when one is given, a random one when the
    plaintext could not be read (schema/secret.go); the rehearsal by a sha256 of the plaintext, unsalted,
    or `handle`. Either way the value never enters a key."""

    plaintext: str = field(repr=False)
    handle: str = ""
    """The key when not the plaintext's hash: from a cacheKey, or random (the plaintext is unreadable)."""
    unreadable: str = ""
    """Why the provider could not read the plaintext (upstream's message): raised where a call uses it."""

    @property
    def digest(self) -> str:
        return self.handle or hashlib.sha256(self.plaintext.encode()).hexdigest()

    def revealed(self, wrapped: str = "") -> str:
        """The plaintext, where a call needs it: an unreadable secret fails here, as upstream fails at use
        (`wrapped` is the calling code's prefix, e.g. `secret env "TOKEN": `)."""
        if self.unreadable:
            raise engine_error(wrapped + self.unreadable)
        return self.plaintext


@dataclass(frozen=True)
class AddressValue:
    """`dag.address(value)`: a string some field of Address loads an object from (only `secret` here)."""

    value: str


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


Value = ContainerState | DirValue | FileValue | SecretValue | AddressValue | CacheValue | HostValue | None


def chain(key: str, *parts: object) -> str:
    """The key of a value made from the one keyed `key` by a call with `parts`."""
    return hashlib.sha256(json.dumps([key, *parts], sort_keys=True, default=str).encode()).hexdigest()
