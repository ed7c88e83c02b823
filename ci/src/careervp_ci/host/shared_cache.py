"""Step results shared through the artifact store: a fresh runner or a colleague hits a tree already checked.

    CAREERVP_SHARED_CACHE=<folder | s3://bucket/prefix>   read results from there (any run)
    CAREERVP_SHARED_CACHE_WRITE=trusted                    also publish passes (set on main, never on forks)
    CAREERVP_SHARED_CACHE_NAMESPACE=<digest>               the toolchain's namespace (the Dagger path: its
                                                           container's recipe and lockfiles)
    CAREERVP_SHARED_CACHE_AWS_ACCESS_KEY_ID, ..._SECRET_ACCESS_KEY, ..._SESSION_TOKEN, ..._REGION
                                                           the store's own S3 credentials, taken out of the
                                                           environment so no step inherits them

An entry is the local cache's entry folder (outcome, key material, reports, outputs) as a tar at
`results/<toolchain>/<key>.tar`, with its sha256 beside it. A read is verified twice before it counts: the
bytes must hash to the sidecar, and the key material inside must equal the material computed for this tree
(every input's digest, tool versions, code), whose sha256 is the key. `<toolchain>` separates interpreters
and platforms (on the Dagger path: the toolchain container's digest), and the material pins every tool
version, so entries are never shared across toolchains. A refused entry is reported and the step runs.
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
from urllib.parse import urlparse

from careervp_ci.errors import CareervpError, UsageError
from careervp_ci.host.cache import ResultCache, entry_matches

if TYPE_CHECKING:
    from careervp_ci.release.store import Backend

SHARED_ENV = "CAREERVP_SHARED_CACHE"
WRITE_ENV = "CAREERVP_SHARED_CACHE_WRITE"
NAMESPACE_ENV = "CAREERVP_SHARED_CACHE_NAMESPACE"
CREDENTIAL_PREFIX = "CAREERVP_SHARED_CACHE_"
CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION")
"""The store's S3 credentials as `$CAREERVP_SHARED_CACHE_<NAME>`: a job of the Dagger path gets them, and its
steps must see no AWS at all (a test that finds credentials could reach a real account)."""
TRUSTED = "trusted"
PREFIX = "results"
REFUSED = "result store: refused"
"""How a refused entry is reported (stderr): the step runs instead, and the Dagger path names it."""


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
        try:
            data = self.backend.read(self._key(key))
            digest = self.backend.read(self._key(key) + ".sha256")
        except CareervpError as error:  # an unreachable store is no result: the step runs
            return _refused(key, f"the store cannot be read: {error}")
        if data is None or digest is None:
            return False
        if hashlib.sha256(data).hexdigest() != digest.decode(errors="replace").strip():
            return _refused(key, "its bytes do not hash to the sha256 stored beside it")
        staging = local.root / f".shared-{uuid.uuid4().hex}"
        try:
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
                archive.extractall(staging, filter="data")
            if not entry_matches(staging, key, material):
                return _refused(key, "its key material is not this step's (inputs, tool versions or code)")
            staging.rename(local.root / key)
        except (tarfile.TarError, OSError) as error:
            return _refused(key, f"it does not unpack: {error}")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return True

    def publish(self, key: str, entry: Path) -> bool:
        """Upload a local entry (trusted runs only); True when this call wrote it. A store that cannot be
        written is reported, never the step's failure: the verdict is the step's alone."""
        if not self.writable:
            return False
        try:
            if self.backend.read(self._key(key) + ".sha256") is not None:
                return False
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w:") as archive:
                for path in sorted(entry.rglob("*")):
                    archive.add(path, arcname=path.relative_to(entry).as_posix(), recursive=False)
            data = buffer.getvalue()
            # Two runners publishing one key at once (their reports differ in timings) must not leave one's
            # tar beside the other's sha256: only the writer that creates the tar writes its digest.
            if not self.backend.create(self._key(key), data):
                return False
            self.backend.write(self._key(key) + ".sha256", hashlib.sha256(data).hexdigest().encode())
        except CareervpError as error:
            print(f"result store: could not publish {key[:16]}: {error}", file=sys.stderr, flush=True)
            return False
        return True


def _refused(key: str, reason: str) -> bool:
    """Report a refused entry (the step then runs, as if there were none); always False."""
    print(f"{REFUSED} the entry {key[:16]}: {reason}; the step runs", file=sys.stderr, flush=True)
    return False


def shared_from_env(state_dir: Path) -> SharedResults | None:
    """The shared results named by `$CAREERVP_SHARED_CACHE`, writable when `$CAREERVP_SHARED_CACHE_WRITE`
    is `trusted`, in `$CAREERVP_SHARED_CACHE_NAMESPACE` when set; None when unset."""
    uri = os.environ.get(SHARED_ENV, "").strip()
    write = os.environ.get(WRITE_ENV, "").strip()
    credentials = {name: os.environ.pop(CREDENTIAL_PREFIX + name, "") for name in CREDENTIALS}
    if write not in ("", TRUSTED):
        raise SharedCacheError(f"${WRITE_ENV} must be {TRUSTED!r} or unset, got {write!r}")
    if not uri:
        if write:
            raise SharedCacheError(f"${WRITE_ENV} is set but ${SHARED_ENV} names no store")
        return None
    namespace = os.environ.get(NAMESPACE_ENV, "").strip()
    return SharedResults(
        _backend(uri, state_dir, credentials), writable=write == TRUSTED, namespace=namespace
    )


def _backend(uri: str, state_dir: Path, credentials: dict[str, str]) -> Backend:
    """The store's backend; an S3 store with its own credentials gets a client of its own."""
    # boto3 only when a shared cache is used
    from careervp_ci.release.store import S3Backend, open_store  # noqa: PLC0415

    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not credentials["AWS_ACCESS_KEY_ID"]:
        return open_store(uri, state_dir).backend
    if not parsed.netloc:
        raise SharedCacheError(f"${SHARED_ENV} {uri!r} names no bucket: use s3://BUCKET/PREFIX")
    import boto3  # noqa: PLC0415

    session = boto3.Session(
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"] or None,
        aws_session_token=credentials["AWS_SESSION_TOKEN"] or None,
        region_name=credentials["AWS_REGION"] or None,
    )
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    return S3Backend(
        parsed.netloc, parsed.path.strip("/"), session.client("s3", endpoint_url=endpoint or None)
    )
