"""Step results shared through the artifact store: a fresh runner or a colleague hits a tree already checked.

    CAREERVP_SHARED_CACHE=<folder | s3://bucket/prefix>   read results from there (any run)
    CAREERVP_SHARED_CACHE_WRITE=trusted                    also publish passes (set on main, never on forks)

An entry is the local cache's entry folder (outcome, key material, reports, outputs) as a tar at
`results/<toolchain>/<key>.tar`, with its sha256 beside it. A read is verified twice before it counts: the
bytes must hash to the sidecar, and the key material inside must equal the material computed for this tree
(every input's digest, tool versions, code), whose sha256 is the key. `<toolchain>` separates interpreters
and platforms, and the material pins every tool version, so entries are never shared across toolchains.
Only runs told they are trusted write: a pull request from a fork can read main's results but never plant one.
"""

from __future__ import annotations

import hashlib
import io
import os
import platform
import shutil
import sys
import tarfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from careervp_ci.errors import UsageError
from careervp_ci.host.cache import ResultCache, entry_matches

if TYPE_CHECKING:
    from careervp_ci.release.store import Backend

SHARED_ENV = "CAREERVP_SHARED_CACHE"
WRITE_ENV = "CAREERVP_SHARED_CACHE_WRITE"
TRUSTED = "trusted"
PREFIX = "results"


class SharedCacheError(UsageError):
    """The shared cache is misconfigured (exit 2); the message names the variable and its bad value."""


def toolchain() -> str:
    """Interpreter and platform: results made by another toolchain are a different namespace."""
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return f"{sys.implementation.name}{version}-{sys.platform}-{platform.machine()}"


@dataclass(frozen=True)
class SharedResults:
    """Verified reads from, and trusted writes to, `results/` in a store backend."""

    backend: Backend
    writable: bool
    namespace: str = ""

    def _key(self, key: str) -> str:
        return f"{PREFIX}/{self.namespace or toolchain()}/{key}.tar"

    def fetch(self, key: str, material: str, local: ResultCache) -> bool:
        """Bring a verified entry into the local cache; False (and nothing kept) when there is none or it
        does not verify."""
        data = self.backend.read(self._key(key))
        digest = self.backend.read(self._key(key) + ".sha256")
        if data is None or digest is None or hashlib.sha256(data).hexdigest() != digest.decode().strip():
            return False
        staging = local.root / f".shared-{uuid.uuid4().hex}"
        try:
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
                archive.extractall(staging, filter="data")
            if not entry_matches(staging, key, material):
                return False
            staging.rename(local.root / key)
        except (tarfile.TarError, OSError):
            return False
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return True

    def publish(self, key: str, entry: Path) -> bool:
        """Upload a local entry (trusted runs only); True when this call wrote it."""
        if not self.writable or self.backend.read(self._key(key) + ".sha256") is not None:
            return False
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:") as archive:
            for path in sorted(entry.rglob("*")):
                archive.add(path, arcname=path.relative_to(entry).as_posix(), recursive=False)
        data = buffer.getvalue()
        self.backend.write(self._key(key), data)
        self.backend.write(self._key(key) + ".sha256", hashlib.sha256(data).hexdigest().encode())
        return True


def shared_from_env(state_dir: Path) -> SharedResults | None:
    """The shared results named by `$CAREERVP_SHARED_CACHE`, writable when `$CAREERVP_SHARED_CACHE_WRITE`
    is `trusted`; None when unset."""
    uri = os.environ.get(SHARED_ENV, "").strip()
    write = os.environ.get(WRITE_ENV, "").strip()
    if write not in ("", TRUSTED):
        raise SharedCacheError(f"${WRITE_ENV} must be {TRUSTED!r} or unset, got {write!r}")
    if not uri:
        if write:
            raise SharedCacheError(f"${WRITE_ENV} is set but ${SHARED_ENV} names no store")
        return None
    from careervp_ci.release.store import open_store  # noqa: PLC0415  (boto3 only when a shared cache is used)

    return SharedResults(open_store(uri, state_dir).backend, writable=write == TRUSTED)
