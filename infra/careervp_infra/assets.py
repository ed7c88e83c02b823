"""Publish a stack's file assets (the Lambda code zip) where its template expects them.

`cdk deploy` does this with the bootstrap stack's bucket; against the emulator there is no bootstrap, so
the deploy path (and the verifier's tests) create the bucket and upload the assets themselves.

`deterministic_zip` is the one writer of a Lambda code zip: the release build ships its package as one
(`careervp_ci.release.build`), and a folder asset (the tree's own `careervp`) is zipped by it when published.
"""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path
from typing import Any

from careervp_infra.cloud_assembly import StackTemplate

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


def deterministic_zip(folder: Path) -> bytes:
    """`folder`'s files as a zip whose bytes depend on their paths and contents only: entries sorted by POSIX
    path, one fixed timestamp, fixed modes (0755 for an executable, else 0644), deflated at zlib's default
    level. A link is refused: what it points at would depend on the machine."""
    files = []
    for path in sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).as_posix()):
        mode = path.lstat().st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise ValueError(f"{path}: only regular files and folders can go in a code zip (found a link)")
        if stat.S_ISREG(mode):
            files.append((path, 0o755 if mode & stat.S_IXUSR else 0o644))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, permissions in files:
            entry = zipfile.ZipInfo(path.relative_to(folder).as_posix(), ZIP_TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = (permissions | stat.S_IFREG) << 16
            archive.writestr(entry, path.read_bytes())
    return buffer.getvalue()


def publish_file_assets(
    stack: StackTemplate, s3_client: Any, account: str, *, create_buckets: bool
) -> list[str]:
    """Upload every file asset of `stack`; returns the `s3://bucket/key` locations written."""
    manifest_path = stack.template_path.with_name(f"{stack.artifact_id}.assets.json")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    written = []
    for asset in manifest.get("files", {}).values():
        source = manifest_path.parent / asset["source"]["path"]
        body = deterministic_zip(source) if asset["source"].get("packaging") == "zip" else source.read_bytes()
        for destination in asset["destinations"].values():
            bucket = destination["bucketName"].replace("${AWS::AccountId}", account)
            if create_buckets:
                _ensure_bucket(s3_client, bucket)
            s3_client.put_object(Bucket=bucket, Key=destination["objectKey"], Body=body)
            written.append(f"s3://{bucket}/{destination['objectKey']}")
    return written


def _ensure_bucket(s3_client: Any, bucket: str) -> None:
    existing = {item["Name"] for item in s3_client.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        s3_client.create_bucket(Bucket=bucket)
