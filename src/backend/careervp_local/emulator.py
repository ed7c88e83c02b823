"""Creates the tables, buckets and user pool of `careervp.resources` in an AWS emulator (moto): `serve`,
tests, and the smoke of an emulator target (moto's CloudFormation does not create Cognito user pools).

Deployed environments get theirs from the CDK stacks; this is the shortcut when only the handlers are needed.
The pool mirrors the stack's (`careervp_infra.auth`): sign-in by email, one app client without a secret
that allows USER_PASSWORD_AUTH.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import boto3
from careervp import aws_clients
from careervp.resources import (
    BUCKETS,
    ENV_VAR_ENVIRONMENT,
    ENV_VAR_USER_POOL_CLIENT_ID,
    ENV_VAR_USER_POOL_ID,
    ENV_VAR_VERSION,
    TABLES,
    USER_POOL,
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


def user_pool_names(environment: str) -> tuple[str, str]:
    """The user pool's and its app client's names (`careervp_infra.auth` names them the same)."""
    pool = f"careervp-{environment}-{USER_POOL.component}-{USER_POOL.resource}"
    return pool, f"{pool}-client"


def provision_user_pool(environment: str, cognito: Any = None) -> tuple[dict[str, str], bool]:
    """The environment's user pool and app client on the emulator, created unless one by that name exists:
    the variables naming them (for the local server's authorizer) and whether they were made now."""
    client = cognito or boto3.client("cognito-idp")
    pool_name, client_name = user_pool_names(environment)
    pools = [
        pool
        for page in client.get_paginator("list_user_pools").paginate(MaxResults=60)
        for pool in page["UserPools"]
        if pool["Name"] == pool_name
    ]
    created = not pools
    pool_id = pools[0]["Id"] if pools else _create_pool(client, pool_name)
    clients = client.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    named = [found["ClientId"] for found in clients if found["ClientName"] == client_name]
    client_id = named[0] if named else create_app_client(client, pool_id, client_name)
    return {ENV_VAR_USER_POOL_ID: pool_id, ENV_VAR_USER_POOL_CLIENT_ID: client_id}, created


def _create_pool(cognito: Any, name: str) -> str:
    pool = cognito.create_user_pool(
        PoolName=name,
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 12,
                "RequireLowercase": True,
                "RequireUppercase": True,
                "RequireNumbers": True,
                "RequireSymbols": True,
            }
        },
    )
    return str(pool["UserPool"]["Id"])


def create_app_client(cognito: Any, pool_id: str, name: str) -> str:
    """An app client like the stack's (no secret; SRP and USER_PASSWORD_AUTH): its id."""
    created = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=name,
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    return str(created["UserPoolClient"]["ClientId"])


def provision(env: dict[str, str]) -> int:
    """Create every table and bucket named in `env` (as `resource_env` builds it) with its key schema, and
    the environment's user pool, whose ids it adds to `env`.

    Those that already exist (an emulator kept running between two `serve`s) are kept, however many tables
    the emulator holds (ListTables answers 100 a page); returns how many it made."""
    pool_env, pool_created = provision_user_pool(env[ENV_VAR_ENVIRONMENT])
    env.update(pool_env)
    dynamodb, s3 = aws_clients.dynamodb(), aws_clients.s3()
    created = int(pool_created)
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
