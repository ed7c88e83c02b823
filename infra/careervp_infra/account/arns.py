"""ARN patterns scoped to one environment, as Fn::Sub strings (partition, region and account resolved by
CloudFormation), for the account stack's policies."""

from __future__ import annotations

from careervp_infra.account.naming import (
    ASSET_BUCKET,
    BOOTSTRAP_VERSION_PARAMETER,
    STORE_BUCKET,
    asset_prefix,
    role_arn,
)
from careervp_infra.environments import Environment

PARTITION_REGION_ACCOUNT = "${AWS::Partition}:{service}:${AWS::Region}:${AWS::AccountId}"


def regional(service: str, resource: str) -> str:
    """`arn:<partition>:<service>:<region>:<account>:<resource>`."""
    return f"arn:{PARTITION_REGION_ACCOUNT.replace('{service}', service)}:{resource}"


def named(env: str) -> str:
    """The name prefix of everything `env`'s stack creates (`careervp-<env>-`)."""
    return f"careervp-{env}-"


def service_stack(env: str) -> str:
    return regional("cloudformation", f"stack/{named(env)}service-stack/*")


def s3_bucket(name: str) -> str:
    return f"arn:${{AWS::Partition}}:s3:::{name}"


def env_buckets(env: str) -> list[str]:
    return [s3_bucket(f"{named(env)}*"), s3_bucket(f"{named(env)}*/*")]


def store_bucket() -> str:
    return s3_bucket(STORE_BUCKET)


def store_objects(suffix: str) -> str:
    return s3_bucket(f"{STORE_BUCKET}/{suffix}")


def asset_objects(env: Environment) -> str:
    """`env`'s keys in the CDK asset bucket, and no other environment's."""
    return s3_bucket(f"{ASSET_BUCKET}/{asset_prefix(env)}*")


def bootstrap_version() -> str:
    return regional("ssm", f"parameter{BOOTSTRAP_VERSION_PARAMETER}")


def role(name: str) -> str:
    return role_arn(name, account="${AWS::AccountId}", partition="${AWS::Partition}")


def env_log_groups(env: str) -> list[str]:
    """The log groups of `env` under each prefix the stack uses (careervp_infra.naming.LOG_GROUP_PREFIXES)."""
    return [
        regional("logs", f"log-group:{prefix}{named(env)}*")
        for prefix in ("", "/aws/lambda/", "/aws/apigateway/", "aws-waf-logs-")
    ]
