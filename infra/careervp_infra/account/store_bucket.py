"""The artifact store's bucket (`CAREERVP_ARTIFACT_STORE=s3://<bucket>`) and its access-log bucket.

Versioned, encrypted, public access blocked, TLS only, with server access logs. Object Lock (governance
mode, `LEDGER_RETENTION`) keeps every version of every object, so a ledger record can be neither overwritten
nor deleted: a new write or a delete only adds a version or a delete marker, and no role may bypass
governance retention (the checks refuse `s3:BypassGovernanceRetention`). The roles themselves write the
ledger create-only (policies.CREATE_ONLY). Lifecycle: artifacts expire after `ARTIFACT_DAYS`, failed
deploys' evidence after `EVIDENCE_DAYS`, replaced versions after the retention.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, Fn, RemovalPolicy, Validations
from aws_cdk import aws_s3 as s3
from constructs import Construct

from careervp_infra.account.naming import STORE_BUCKET, STORE_LOG_BUCKET

LEDGER_RETENTION_DAYS = 365
ARTIFACT_DAYS = 400
"""Longer than the ledger's retention, so a rollback target named in the ledger is still there."""
EVIDENCE_DAYS = 90
ACCESS_LOG_DAYS = 365


def create_access_log_bucket(scope: Construct) -> s3.Bucket:
    """Where the store's and the CDK assets' server access logs go."""
    logs = s3.Bucket(
        scope,
        "ArtifactStoreAccessLogs",
        bucket_name=Fn.sub(STORE_LOG_BUCKET),
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycle_rules=[
            s3.LifecycleRule(id="expire-access-logs", expiration=Duration.days(ACCESS_LOG_DAYS))
        ],
        removal_policy=RemovalPolicy.RETAIN,
    )
    Validations.of(logs).acknowledge(
        Acknowledgment(
            id="AwsSolutions-S1",
            reason="This bucket receives the artifact store's and the CDK assets' server access logs; "
            "logging it into itself would loop.",
        )
    )
    return logs


def create_store_bucket(scope: Construct, logs: s3.IBucket) -> s3.Bucket:
    """The store bucket; kept when the stack goes."""
    return s3.Bucket(
        scope,
        "ArtifactStore",
        bucket_name=Fn.sub(STORE_BUCKET),
        versioned=True,
        object_lock_enabled=True,
        object_lock_default_retention=s3.ObjectLockRetention.governance(Duration.days(LEDGER_RETENTION_DAYS)),
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        server_access_logs_bucket=logs,
        server_access_logs_prefix="artifact-store/",
        lifecycle_rules=[
            s3.LifecycleRule(
                id="expire-artifacts", prefix="sha256-", expiration=Duration.days(ARTIFACT_DAYS)
            ),
            s3.LifecycleRule(id="expire-evidence", prefix="runs/", expiration=Duration.days(EVIDENCE_DAYS)),
            s3.LifecycleRule(
                id="expire-replaced-versions",
                noncurrent_version_expiration=Duration.days(LEDGER_RETENTION_DAYS),
                abort_incomplete_multipart_upload_after=Duration.days(7),
            ),
        ],
        removal_policy=RemovalPolicy.RETAIN,
    )
