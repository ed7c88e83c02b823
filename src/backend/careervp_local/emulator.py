"""Creates the tables and bucket of `careervp.resources` in an AWS emulator (moto): `serve`, tests.

Deployed environments get theirs from the CDK stacks; this is the shortcut when only the handlers are needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from careervp import aws_clients
from careervp.resources import (
    BUCKETS,
    ENV_VAR_ENVIRONMENT,
    ENV_VAR_VERSION,
    TABLES,
    Bucket,
    KeyAttribute,
    Table,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeDefinitionTypeDef, KeySchemaElementTypeDef


def resource_env(environment: str, version: str = "0.0.0+local") -> dict[str, str]:
    """The handlers' environment variables, naming resources `careervp-<env>-<component>-<resource>`."""
    env = {ENV_VAR_ENVIRONMENT: environment, ENV_VAR_VERSION: version}
    resources: tuple[Table | Bucket, ...] = (*TABLES, *BUCKETS)
    for resource in resources:
        env[resource.env_var] = f"careervp-{environment}-{resource.component}-{resource.resource}"
    return env


def _key_schema(table: Table) -> tuple[list[KeySchemaElementTypeDef], list[AttributeDefinitionTypeDef]]:
    keys: list[tuple[KeyAttribute, Literal["HASH", "RANGE"]]] = [(table.partition_key, "HASH")]
    if table.sort_key is not None:
        keys.append((table.sort_key, "RANGE"))
    schema: list[KeySchemaElementTypeDef] = [
        {"AttributeName": key.name, "KeyType": kind} for key, kind in keys
    ]
    attributes: list[AttributeDefinitionTypeDef] = [
        {"AttributeName": key.name, "AttributeType": key.type} for key, _ in keys
    ]
    return schema, attributes


def provision(env: dict[str, str]) -> int:
    """Create every table and bucket named in `env` (as `resource_env` builds it) with its key schema.

    Those that already exist (an emulator kept running between two `serve`s) are kept, however many tables
    the emulator holds (ListTables answers 100 a page); returns how many it made."""
    dynamodb, s3 = aws_clients.dynamodb(), aws_clients.s3()
    created = 0
    existing_tables = {
        name for page in dynamodb.get_paginator("list_tables").paginate() for name in page["TableNames"]
    }
    for table in TABLES:
        if env[table.env_var] in existing_tables:
            continue
        schema, attributes = _key_schema(table)
        dynamodb.create_table(
            TableName=env[table.env_var],
            KeySchema=schema,
            AttributeDefinitions=attributes,
            BillingMode="PAY_PER_REQUEST",
        )
        created += 1
    region = s3.meta.region_name
    existing_buckets = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    for bucket in BUCKETS:
        if env[bucket.env_var] in existing_buckets:
            continue
        if region == "us-east-1":
            s3.create_bucket(Bucket=env[bucket.env_var])
        else:
            s3.create_bucket(
                Bucket=env[bucket.env_var],
                CreateBucketConfiguration={"LocationConstraint": region},  # type: ignore[typeddict-item]
            )
        created += 1
    return created
