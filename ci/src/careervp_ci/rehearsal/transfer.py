"""Images to and from the rehearsal's registry with podman, as the engine's `from` and `publish` move them.

Only a registry on loopback is reachable here (the rehearsal's stand-in for ghcr.io, `rehearsal.registry`),
so only a loopback address is accepted, and only there is TLS verification off: the stand-in speaks plain
HTTP. Credentials (`withRegistryAuth`) reach podman in an auth file readable by this user alone, removed
after the command, never on a command line.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from careervp_ci.rehearsal.podman import PodmanError, podman
from careervp_ci.rehearsal.values import RehearsalGap, engine_error

LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "[::1]"})
Credentials = Mapping[str, tuple[str, str]]
"""Registry host -> (username, secret), as the engine keeps them for a session (auth/registry.go)."""


def registry_host(address: str) -> str:
    """The registry host (and port) of an image address, as the engine's parseAuthAddress keys credentials:
    the part before the first `/`, without scheme."""
    bare = address.removeprefix("https://").removeprefix("http://")
    return bare.split("/", 1)[0].split("@", 1)[0]


def loopback_host(call: str, address: str) -> str:
    """The address's registry host when it is on loopback; any other registry is a RehearsalGap."""
    host = registry_host(address)
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if "/" not in address or name not in LOOPBACK:
        raise RehearsalGap(
            f"{call}({address!r}): the rehearsal reaches only its registry on loopback (the stand-in for "
            "ghcr.io, rehearsal.registry): give the module that registry's address"
        )
    return host


@contextmanager
def _auth_flags(host: str, credentials: Credentials, scratch: Path) -> Iterator[list[str]]:
    if host not in credentials:
        yield []
        return
    username, secret = credentials[host]
    token = base64.b64encode(f"{username}:{secret}".encode()).decode()
    with tempfile.TemporaryDirectory(prefix="auth-", dir=scratch) as folder:
        path = Path(folder) / "auth.json"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump({"auths": {host: {"auth": token}}}, stream)
        yield [f"--authfile={path}"]


def local_id(reference: str) -> str | None:
    """The id of the image podman holds under `reference`, or None."""
    try:
        return podman("image", "inspect", "--format={{.Id}}", reference).strip() or None
    except PodmanError:
        return None


def pull(address: str, credentials: Credentials, scratch: Path) -> str:
    """Pull `address` from the loopback registry; returns the image id. A pull that fails (no such tag, no
    access) is the QueryError the engine's `from` gives."""
    host = loopback_host("Container.from", address)
    with _auth_flags(host, credentials, scratch) as flags:
        try:
            podman("pull", "--quiet", "--tls-verify=false", *flags, address)
        except PodmanError as error:
            raise engine_error(f"failed to resolve source metadata for {address}: {error}") from error
    found = local_id(address)
    if found is None:
        raise engine_error(f"{address} was pulled but podman does not hold it")
    return found


def push(local: str, address: str, credentials: Credentials, scratch: Path) -> str:
    """Push the local image `local` to `address`; returns the address with the pushed manifest's digest, as
    the engine's `publish` does. A push the registry refuses is a QueryError."""
    host = loopback_host("Container.publish", address)
    with (
        _auth_flags(host, credentials, scratch) as flags,
        tempfile.TemporaryDirectory(prefix="push-", dir=scratch) as folder,
    ):
        digest_file = Path(folder) / "digest"
        try:
            podman(
                "push", "--quiet", "--tls-verify=false", *flags, f"--digestfile={digest_file}", local, address
            )
        except PodmanError as error:
            raise engine_error(f"failed to export: failed to push {address}: {error}") from error
        digest = digest_file.read_text(encoding="utf-8").strip()
    return f"{address}@{digest}"
