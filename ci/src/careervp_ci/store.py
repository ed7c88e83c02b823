"""The artifact store: artifacts kept by digest, in a local folder (default) or an S3 bucket.

Every read re-hashes the bytes and refuses a mismatch, so a tampered or truncated artifact never reaches a
deploy. Objects are named `sha256-<hex>.tar`; writes are idempotent (the same digest is the same bytes).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlparse

import boto3
from botocore.exceptions import ClientError

from careervp_ci.artifact import ArtifactError, Digest, digest_of

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

DEFAULT_STORE = ".careervp/artifacts"


def object_name(digest: Digest) -> str:
    return f"sha256-{digest.hex}.tar"


class ArtifactStore(Protocol):
    @property
    def uri(self) -> str: ...

    def put(self, tar_path: Path) -> Digest: ...

    def fetch(self, digest: Digest, dest_dir: Path) -> Path:
        """Copy the artifact into `dest_dir` and return its path, after checking its digest."""
        ...


def _checked(path: Path, digest: Digest, where: str) -> Path:
    actual = digest_of(path)
    if actual != digest:
        path.unlink()
        raise ArtifactError(
            f"artifact {digest} in {where} is corrupt or tampered with: its bytes hash to {actual}. "
            "Nothing was deployed; rebuild with `careervp-ci build` and publish again."
        )
    return path


@dataclass
class LocalStore:
    """A folder of `sha256-<hex>.tar` files."""

    root: Path

    @property
    def uri(self) -> str:
        return str(self.root)

    def put(self, tar_path: Path) -> Digest:
        digest = digest_of(tar_path)
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.root / object_name(digest)
        if not target.exists():
            with (
                tempfile.NamedTemporaryFile(dir=self.root, delete=False) as partial,
                tar_path.open("rb") as src,
            ):
                shutil.copyfileobj(src, partial)
            Path(partial.name).replace(target)
        return digest

    def fetch(self, digest: Digest, dest_dir: Path) -> Path:
        source = self.root / object_name(digest)
        if not source.is_file():
            raise ArtifactError(
                f"artifact {digest} is not in the store {self.root}: build it (`careervp-ci build`) "
                "or pass the store that holds it (--store)"
            )
        dest_dir.mkdir(parents=True, exist_ok=True)
        copy = dest_dir / object_name(digest)
        shutil.copyfile(source, copy)
        return _checked(copy, digest, str(self.root))


@dataclass
class S3Store:
    """`s3://bucket/prefix`: the same layout in a bucket (the emulator's, locally)."""

    bucket: str
    prefix: str
    client: S3Client

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def _key(self, digest: Digest) -> str:
        return f"{self.prefix.strip('/')}/{object_name(digest)}".lstrip("/")

    def put(self, tar_path: Path) -> Digest:
        digest = digest_of(tar_path)
        self.client.upload_file(str(tar_path), self.bucket, self._key(digest))
        return digest

    def fetch(self, digest: Digest, dest_dir: Path) -> Path:
        dest_dir.mkdir(parents=True, exist_ok=True)
        copy = dest_dir / object_name(digest)
        try:
            self.client.download_file(self.bucket, self._key(digest), str(copy))
        except ClientError as error:
            raise ArtifactError(
                f"artifact {digest} could not be read from {self.uri}: {error.response.get('Error', {})}"
            ) from error
        return _checked(copy, digest, self.uri)


def open_store(uri: str | None, state_dir: Path) -> ArtifactStore:
    """The store named by `uri` (a folder, or `s3://bucket/prefix`); default `<state>/artifacts`."""
    if not uri:
        return LocalStore(state_dir / "artifacts")
    parsed = urlparse(uri)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ArtifactError(f"store URI {uri!r} names no bucket: use s3://BUCKET/PREFIX")
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        client: S3Client = boto3.client("s3", endpoint_url=endpoint or None)
        return S3Store(parsed.netloc, parsed.path.lstrip("/"), client)
    if parsed.scheme not in ("", "file"):
        raise ArtifactError(f"unsupported store URI {uri!r}: use a folder path or s3://BUCKET/PREFIX")
    return LocalStore(Path(parsed.path if parsed.scheme == "file" else uri).expanduser())
