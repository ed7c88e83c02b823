"""The artifact store: artifacts by digest, and the release state every runner shares, in a folder or S3.

`--store URI` / `$CAREERVP_ARTIFACT_STORE`: a folder (a path or `file://`), or `s3://bucket/prefix`; the
default is `<state>/artifacts` (`.careervp/artifacts`). Layout, the same in both:

    sha256-<hex>.tar             an artifact (its bytes hash to its name)
    sha256-<hex>.provenance.json its in-toto statement with SLSA provenance (`release.provenance`)
    ledger/<env>/<seq>.json      release history, one record per event (`release.ledger`)
    approvals/<env>/...          change-set summaries and the approvals citing them (`release.approvals`)
    locks/<env>.json             who holds an environment now (`release.locking`)
    runs/<env>/<run>/...         the evidence a failed deploy left (events, assembly, verifier output, log)
    events/<time>-<id>.json      what the store did to itself (a corrupt object replaced)

Every artifact read re-hashes the bytes and refuses a mismatch; every artifact write checks what is
already there and replaces a corrupt object, recording the event. `create` is the one conditional write:
it succeeds only if the key does not exist (a hard link in a folder, which fails like `O_EXCL` and
publishes the complete object at once; `If-None-Match: *` on S3), so locks and ledger sequence numbers
never have two owners.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlparse

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from careervp_ci.errors import CareervpError
from careervp_ci.release.artifact import ArtifactError, ArtifactInputError, Digest, digest_of
from careervp_ci.release.scratch import host, reclaim, scratch_dir, scratch_file

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

STORE_ENV = "CAREERVP_ARTIFACT_STORE"
DEFAULT_STORE = ".careervp/artifacts"
SCRATCH = ".scratch"
_EXISTS = {"PreconditionFailed", "ConditionalRequestConflict", "412", "409"}


class StoreError(CareervpError):
    """The store cannot be reached or read; the message names the store and the key."""


def object_name(digest: Digest) -> str:
    return f"sha256-{digest.hex}.tar"


def provenance_name(digest: Digest) -> str:
    """The key of the artifact's provenance statement, beside the artifact."""
    return f"sha256-{digest.hex}.provenance.json"


class Backend(Protocol):
    """Bytes by key (`a/b/c.json`): the few operations the release needs from a folder or a bucket."""

    @property
    def uri(self) -> str: ...

    def where(self, key: str) -> str: ...

    def read(self, key: str) -> bytes | None: ...

    def write(self, key: str, data: bytes) -> None: ...

    def create(self, key: str, data: bytes) -> bool:
        """Write only if `key` does not exist; False (and nothing written) if it does."""
        ...

    def delete(self, key: str) -> None: ...

    def keys(self, prefix: str) -> list[str]:
        """Every key under `prefix/`, sorted."""
        ...

    def upload(self, key: str, path: Path) -> None: ...

    def download(self, key: str, path: Path) -> bool:
        """Copy `key` to `path`; False when there is no such key."""
        ...


@dataclass
class FolderBackend:
    root: Path

    @property
    def uri(self) -> str:
        return str(self.root)

    def where(self, key: str) -> str:
        return str(self.root / key)

    def _scratch(self) -> Path:
        return self.root / SCRATCH

    def read(self, key: str) -> bytes | None:
        try:
            return (self.root / key).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return None

    def _staged(self, data: bytes) -> Path:
        staged = scratch_file(self._scratch(), "object")
        with staged.open("wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        return staged

    def write(self, key: str, data: bytes) -> None:
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        self._staged(data).replace(target)

    def create(self, key: str, data: bytes) -> bool:
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = self._staged(data)
        try:
            os.link(staged, target)
        except FileExistsError:
            return False
        finally:
            staged.unlink()
        return True

    def delete(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)

    def keys(self, prefix: str) -> list[str]:
        base = self.root / prefix
        if not base.is_dir():
            return []
        return sorted(path.relative_to(self.root).as_posix() for path in base.rglob("*") if path.is_file())

    def upload(self, key: str, path: Path) -> None:
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = scratch_file(self._scratch(), "object")
        shutil.copyfile(path, staged)
        staged.replace(target)

    def download(self, key: str, path: Path) -> bool:
        source = self.root / key
        if not source.is_file():
            return False
        shutil.copyfile(source, path)
        return True

    def reclaim_scratch(self) -> list[str]:
        return reclaim(self._scratch())


@dataclass
class S3Backend:
    bucket: str
    prefix: str
    client: S3Client

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")

    def _key(self, key: str) -> str:
        return f"{self.prefix.strip('/')}/{key}".lstrip("/")

    def where(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"

    def _fail(self, what: str, key: str, error: Exception) -> StoreError:
        return StoreError(
            f"could not {what} {self.where(key)}: {error}; check the store URI and that the credentials "
            "may read and write the bucket"
        )

    def read(self, key: str) -> bytes | None:
        try:
            return bytes(self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read())
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise self._fail("read", key, error) from None
        except BotoCoreError as error:
            raise self._fail("read", key, error) from None

    def write(self, key: str, data: bytes) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)
        except (ClientError, BotoCoreError) as error:
            raise self._fail("write", key, error) from None

    def create(self, key: str, data: bytes) -> bool:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, IfNoneMatch="*")
        except ClientError as error:
            if str(error.response.get("Error", {}).get("Code")) in _EXISTS:
                return False
            raise self._fail("create", key, error) from None
        except BotoCoreError as error:
            raise self._fail("create", key, error) from None
        return True

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (ClientError, BotoCoreError) as error:
            raise self._fail("delete", key, error) from None

    def keys(self, prefix: str) -> list[str]:
        strip = len(self._key(""))
        found: list[str] = []
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self._key(prefix.rstrip("/") + "/")
            )
            for page in pages:
                found += [item["Key"][strip:] for item in page.get("Contents", [])]
        except (ClientError, BotoCoreError) as error:
            raise self._fail("list", prefix, error) from None
        return sorted(found)

    def upload(self, key: str, path: Path) -> None:
        try:
            self.client.upload_file(str(path), self.bucket, self._key(key))
        except (ClientError, BotoCoreError) as error:
            raise self._fail("upload", key, error) from None

    def download(self, key: str, path: Path) -> bool:
        try:
            self.client.download_file(self.bucket, self._key(key), str(path))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return False
            raise self._fail("read", key, error) from None
        except BotoCoreError as error:
            raise self._fail("read", key, error) from None
        return True


@dataclass
class Store:
    """Artifacts and release state in one backend; `scratch` is local space for checking downloads."""

    backend: Backend
    scratch: Path

    @property
    def uri(self) -> str:
        return self.backend.uri

    def put(self, tar_path: Path) -> Digest:
        """Store an artifact. What is there already is checked: a corrupt copy is replaced and the event
        recorded (`events/`), so a rebuild heals the store instead of trusting it."""
        digest = digest_of(tar_path)
        key = object_name(digest)
        with scratch_dir(self.scratch, "check") as folder:
            existing = folder / key
            if self.backend.download(key, existing):
                found = digest_of(existing)
                if found == digest:
                    return digest
                self.backend.upload(key, tar_path)
                self.record_event(
                    "replaced-corrupt-object",
                    key=key,
                    detail=f"its bytes hashed to {found}, not {digest}; replaced with the built artifact",
                )
                return digest
        self.backend.upload(key, tar_path)
        return digest

    def fetch(self, digest: Digest, dest_dir: Path) -> Path:
        """Copy the artifact into `dest_dir` and return its path, after checking its bytes."""
        key = object_name(digest)
        dest_dir.mkdir(parents=True, exist_ok=True)
        copy = dest_dir / key
        if not self.backend.download(key, copy):
            raise ArtifactError(
                f"artifact {digest} is not in the store {self.uri}: build it (`careervp-ci build`) and "
                "publish it there, or pass the store that holds it (--store / $CAREERVP_ARTIFACT_STORE)"
            )
        actual = digest_of(copy)
        if actual != digest:
            copy.unlink()
            raise ArtifactError(
                f"artifact {digest} in {self.backend.where(key)} is corrupt or tampered with: its bytes hash "
                f"to {actual}. Nothing was deployed; rebuild the same commit with `careervp-ci build "
                f"--store {self.uri}` (it replaces the corrupt copy) and run this command again."
            )
        return copy

    def put_provenance(self, digest: Digest, statement: bytes) -> None:
        """Keep the statement of `digest` beside it (the latest build's: the same bytes may be rebuilt)."""
        self.backend.write(provenance_name(digest), statement)

    def provenance(self, digest: Digest) -> bytes | None:
        """The provenance statement kept for `digest`; None when there is none."""
        return self.backend.read(provenance_name(digest))

    def record_event(self, event: str, *, key: str, detail: str) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        name = f"events/{stamp}-{uuid.uuid4().hex[:8]}.json"
        record = {
            "event": event,
            "key": key,
            "detail": detail,
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "host": host(),
            "pid": os.getpid(),
        }
        self.backend.create(name, (json.dumps(record, indent=2, sort_keys=True) + "\n").encode())
        return name

    def events(self) -> list[dict[str, object]]:
        found = []
        for key in self.backend.keys("events"):
            data = self.backend.read(key)
            if data is not None:
                found.append({"name": key, **json.loads(data)})
        return found


def store_uri(flag: str | None) -> str | None:
    """The store a command was given: `--store`, else $CAREERVP_ARTIFACT_STORE, else None (the default)."""
    return flag or os.environ.get(STORE_ENV) or None


def open_store(uri: str | None, state_dir: Path) -> Store:
    """The store named by `uri` (a folder, or `s3://bucket/prefix`); default `<state>/artifacts`."""
    scratch = state_dir / "work"
    if not uri:
        return _folder(state_dir / "artifacts", scratch)
    parsed = urlparse(uri)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ArtifactInputError(f"store URI {uri!r} names no bucket: use s3://BUCKET/PREFIX")
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        client: S3Client = boto3.client("s3", endpoint_url=endpoint or None)
        return Store(S3Backend(parsed.netloc, parsed.path.strip("/"), client), scratch)
    if parsed.scheme not in ("", "file"):
        raise ArtifactInputError(
            f"unsupported store URI {uri!r}: use a folder path, file:///path or s3://BUCKET/PREFIX"
        )
    return _folder(Path(parsed.path if parsed.scheme == "file" else uri).expanduser(), scratch)


def _folder(root: Path, scratch: Path) -> Store:
    backend = FolderBackend(root.resolve())
    backend.reclaim_scratch()
    return Store(backend, scratch)
