"""The tables and buckets of one environment, built from `careervp.resources`."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from careervp.resources import BUCKETS, TABLES, Bucket, KeyAttribute, Table
from constructs import Construct

from careervp_infra.environments import Environment
from careervp_infra.naming import Service, physical_name
from careervp_infra.scanner_reasons import explain

ACCESS_LOG_RETENTION = Duration.days(365)
_KEY_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}


def removal_policy(env: Environment) -> RemovalPolicy:
    """Transient environments take their data with them; the others keep it when the stack goes."""
    return RemovalPolicy.DESTROY if env.transient else RemovalPolicy.RETAIN


def construct_id(component: str, resource: str, kind: str) -> str:
    """`KbDocumentsTable`: a stable logical id from the resource's name parts."""
    words = f"{component}-{resource}".split("-")
    return "".join(word.capitalize() for word in words) + kind


def create_tables(scope: Construct, env: Environment) -> dict[Table, dynamodb.Table]:
    """One on-demand table with point-in-time recovery per entry of `TABLES`."""
    return {table: _table(scope, env, table) for table in TABLES}


def _attribute(key: KeyAttribute) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key.name, type=_KEY_TYPES[key.type])


def _table(scope: Construct, env: Environment, table: Table) -> dynamodb.Table:
    return dynamodb.Table(
        scope,
        construct_id(table.component, table.resource, "Table"),
        table_name=physical_name(env.name, table.component, table.resource, service=Service.DYNAMODB_TABLE),
        partition_key=_attribute(table.partition_key),
        sort_key=_attribute(table.sort_key) if table.sort_key else None,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        time_to_live_attribute=table.ttl_attribute,
        removal_policy=removal_policy(env),
    )


def create_buckets(scope: Construct, env: Environment, access_logs: s3.Bucket) -> dict[Bucket, s3.Bucket]:
    """A private, encrypted, TLS-only, versioned bucket per `BUCKETS` entry, with server access logs."""
    return {bucket: _bucket(scope, env, bucket, access_logs) for bucket in BUCKETS}


def create_access_log_bucket(scope: Construct, env: Environment) -> s3.Bucket:
    """The destination of every bucket's server access logs (the SPA's bucket too)."""
    bucket = s3.Bucket(
        scope,
        "ServiceAccessLogsBucket",
        bucket_name=physical_name(env.name, "service", "access-logs", service=Service.S3_BUCKET),
        lifecycle_rules=[s3.LifecycleRule(expiration=ACCESS_LOG_RETENTION)],
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        removal_policy=removal_policy(env),
    )
    loop = "This bucket is the destination of the server access logs; logging it into itself would loop."
    Validations.of(bucket).acknowledge(Acknowledgment(id="AwsSolutions-S1", reason=loop))
    explain(bucket, "CKV_AWS_18", loop)
    explain(
        bucket,
        "CKV_AWS_21",
        "Log objects are written once by S3's logging service and expire after "
        f"{ACCESS_LOG_RETENTION.to_days()} days; versions would keep each one twice and outlive that.",
    )
    return bucket


def _bucket(scope: Construct, env: Environment, bucket: Bucket, access_logs: s3.Bucket) -> s3.Bucket:
    return s3.Bucket(
        scope,
        construct_id(bucket.component, bucket.resource, "Bucket"),
        bucket_name=physical_name(env.name, bucket.component, bucket.resource, service=Service.S3_BUCKET),
        versioned=True,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=f"{bucket.component}-{bucket.resource}/",
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        removal_policy=removal_policy(env),
    )
