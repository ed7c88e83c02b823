"""The part of `cdk bootstrap` the release uses, and only that.

The release deploys with boto3, not the CDK CLI (release/cloudformation.py): it uploads each stack's file
assets (the Lambda code, a template too big to send inline) to the bucket the asset manifest names,
`cdk-hnb659fds-assets-<account>-<region>`, and the synthesized templates' BootstrapVersion rule reads
`/cdk-bootstrap/hnb659fds/version`. The bootstrap's roles (deploy, file publishing, lookup, its execution
role), its ECR repository and its KMS key are never used, so they are not created: the account stack's
roles replace them. An account that already ran `cdk bootstrap` has both resources already (its CDKToolkit
stack owns them): docs/aws-setup.md says what to do then.
"""

from __future__ import annotations

from aws_cdk import Duration, Fn, RemovalPolicy
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from careervp_infra.account.naming import ASSET_BUCKET, BOOTSTRAP_VERSION, BOOTSTRAP_VERSION_PARAMETER

ASSET_DAYS = 400


def create_bootstrap(scope: Construct, access_logs: s3.IBucket) -> s3.Bucket:
    """The asset bucket and the bootstrap version parameter."""
    ssm.StringParameter(
        scope,
        "CdkBootstrapVersion",
        parameter_name=BOOTSTRAP_VERSION_PARAMETER,
        string_value=BOOTSTRAP_VERSION,
        description="The CDK bootstrap version the CareerVP templates' BootstrapVersion rule requires",
    )
    return s3.Bucket(
        scope,
        "CdkAssets",
        bucket_name=Fn.sub(ASSET_BUCKET),
        versioned=True,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix="cdk-assets/",
        lifecycle_rules=[
            s3.LifecycleRule(
                id="expire-old-assets",
                noncurrent_version_expiration=Duration.days(30),
                abort_incomplete_multipart_upload_after=Duration.days(7),
            )
        ],
        removal_policy=RemovalPolicy.RETAIN,
    )
