"""Publish a stack's file assets (the Lambda code zip) where its template expects them.

`cdk deploy` does this with the bootstrap stack's bucket; against the emulator there is no bootstrap, so
the deploy path (and the verifier's tests) create the bucket and upload the assets themselves.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from careervp_infra.cloud_assembly import StackTemplate

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


def zip_directory(folder: Path) -> bytes:
    """A deterministic zip of `folder` (sorted entries, fixed timestamps)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=ZIP_TIMESTAMP)
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED)
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
        body = zip_directory(source) if asset["source"].get("packaging") == "zip" else source.read_bytes()
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
