"""The Lambda functions of one environment: each with its own log group, role and narrowest grants."""

from __future__ import annotations

from importlib.metadata import version
from typing import cast

from aws_cdk import Acknowledgment, Duration, Stack, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from careervp.resources import (
    ENV_VAR_CORS_ALLOWED_ORIGIN,
    ENV_VAR_ENVIRONMENT,
    ENV_VAR_VERSION,
    FUNCTIONS,
    METRICS_NAMESPACE,
    SECRETS,
    SERVICE_NAME,
    Access,
    Bucket,
    Function,
    Secret,
    Table,
)
from constructs import Construct

from careervp_infra.data_stores import construct_id, removal_policy
from careervp_infra.environments import Environment
from careervp_infra.naming import Service, log_group_name, physical_name
from careervp_infra.scanner_reasons import explain

RUNTIME = lambda_.Runtime.PYTHON_3_13
MEMORY_MB = 256

TABLE_READ_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
)
TABLE_WRITE_ACTIONS = (
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
)
OBJECT_READ_ACTIONS = ("s3:GetObject",)
OBJECT_WRITE_ACTIONS = ("s3:DeleteObject", "s3:PutObject")
BUCKET_READ_ACTIONS = ("s3:ListBucket",)
OBJECT_PUT_ACTIONS = ("s3:PutObject",)
"""A write-only grant (`Access.WRITE`): it hands objects off, never reads, lists or deletes them."""


def secret_name(env: Environment, secret: Secret) -> str:
    return physical_name(env.name, secret.component, secret.resource, service=Service.SECRET)


def function_name(env: Environment, spec: Function) -> str:
    return physical_name(env.name, spec.component, spec.resource, service=Service.LAMBDA_FUNCTION)


def create_functions(
    scope: Construct,
    env: Environment,
    code: lambda_.Code,
    tables: dict[Table, dynamodb.Table],
    buckets: dict[Bucket, s3.Bucket],
    *,
    spa_origin: str,
) -> dict[Function, lambda_.Function]:
    """A function per entry of `FUNCTIONS`, configured by environment variables (`spa_origin`: the one
    origin it allows in CORS, `careervp.cors`), granted only its access."""
    secrets = {
        secret: secretsmanager.Secret.from_secret_name_v2(
            scope, construct_id(secret.component, secret.resource, "Secret"), secret_name(env, secret)
        )
        for secret in SECRETS
    }
    return {
        spec: create_function(
            scope,
            env,
            spec,
            code=code,
            tables=tables,
            buckets=buckets,
            secrets=secrets,
            spa_origin=spa_origin,
        )
        for spec in FUNCTIONS
    }


def create_function(
    scope: Construct,
    env: Environment,
    spec: Function,
    *,
    code: lambda_.Code,
    tables: dict[Table, dynamodb.Table],
    buckets: dict[Bucket, s3.Bucket],
    secrets: dict[Secret, secretsmanager.ISecret],
    spa_origin: str = "",
) -> lambda_.Function:
    """One function with its own log group (retention-bound) and a role granted only `spec`'s access; an
    API function allows `spa_origin` in CORS (the canary, notifier and pre-traffic hook answer no browser)."""
    name = function_name(env, spec)
    prefix = construct_id(spec.component, spec.resource, "")
    log_group = logs.LogGroup(
        scope,
        f"{prefix}LogGroup",
        log_group_name=log_group_name("/aws/lambda/", name),
        removal_policy=removal_policy(env),
    )
    cast(logs.CfnLogGroup, log_group.node.default_child).retention_in_days = env.log_retention_days
    role = iam.Role(
        scope,
        f"{prefix}Role",
        role_name=physical_name(env.name, spec.component, f"{spec.resource}-role", service=Service.IAM_ROLE),
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=f"Runs {name}: writes its own log group and touches only the data stores it is granted",
    )
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
        )
    )
    environment = {
        ENV_VAR_ENVIRONMENT: env.name,
        ENV_VAR_VERSION: version("careervp"),
        "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        **({ENV_VAR_CORS_ALLOWED_ORIGIN: spa_origin} if spa_origin else {}),
    }
    for table_grant in spec.tables:
        table = tables[table_grant.table]
        environment[table_grant.table.env_var] = table.table_name
        role.add_to_policy(_table_statement(table, table_grant.access))
    for bucket_grant in spec.buckets:
        bucket = buckets[bucket_grant.bucket]
        environment[bucket_grant.bucket.env_var] = bucket.bucket_name
        role.add_to_policy(_bucket_statement(bucket, bucket_grant.access))
        _acknowledge_object_wildcard(role, bucket)
        if bucket_grant.access is not Access.WRITE:
            role.add_to_policy(
                iam.PolicyStatement(actions=list(BUCKET_READ_ACTIONS), resources=[bucket.bucket_arn])
            )
    for secret_spec in spec.secrets:
        secret = secrets[secret_spec]
        environment[secret_spec.env_var] = secret.secret_arn
        secret.grant_read(role)
    function = lambda_.Function(
        scope,
        f"{prefix}Function",
        function_name=name,
        description=f"CareerVP {spec.component} ({env.name})",
        runtime=RUNTIME,
        architecture=lambda_.Architecture.ARM_64,
        handler=spec.handler,
        code=code,
        role=role,
        log_group=log_group,
        memory_size=MEMORY_MB,
        timeout=Duration.seconds(spec.timeout_seconds),
        environment=environment,
        reserved_concurrent_executions=env.reserved_concurrency,
        dead_letter_queue=None if spec.routes else _dead_letter_queue(scope, env, spec, prefix),
    )
    if spec.routes:
        explain(
            function,
            "CKV_AWS_116",
            "Invoked synchronously by API Gateway, which returns the error to the caller: a dead-letter "
            "queue receives only failed asynchronous invocations, so it would stay empty.",
        )
    if env.reserved_concurrency is None:
        explain(
            function,
            "CKV_AWS_115",
            f"{env.name} reserves no concurrency (infra/environments.toml: reserved_concurrency unset): its "
            "functions share the account's unreserved pool, since an account at the default limit cannot "
            "reserve any; the environment's budget alarm bounds its cost.",
        )
    return function


def _dead_letter_queue(scope: Construct, env: Environment, spec: Function, prefix: str) -> sqs.Queue:
    """Where an event-driven function's failed invocations go after Lambda's retries, kept two weeks."""
    return sqs.Queue(
        scope,
        f"{prefix}DeadLetterQueue",
        queue_name=physical_name(env.name, spec.component, f"{spec.resource}-dlq", service=Service.SQS_QUEUE),
        encryption=sqs.QueueEncryption.KMS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
        removal_policy=removal_policy(env),
    )


def _table_statement(table: dynamodb.Table, access: Access) -> iam.PolicyStatement:
    actions = {
        Access.READ: TABLE_READ_ACTIONS,
        Access.READ_WRITE: TABLE_READ_ACTIONS + TABLE_WRITE_ACTIONS,
        Access.WRITE: TABLE_WRITE_ACTIONS,
    }[access]
    return iam.PolicyStatement(actions=list(actions), resources=[table.table_arn])


def _acknowledge_object_wildcard(role: iam.Role, bucket: s3.Bucket) -> None:
    """`<bucket>/*` is the only way to name a bucket's objects; accept exactly that finding, nothing wider."""
    stack = Stack.of(bucket)
    logical_id = stack.resolve(stack.get_logical_id(cast(s3.CfnBucket, bucket.node.default_child)))
    Validations.of(role).acknowledge(
        Acknowledgment(
            id=f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>/*]",
            reason=f"Object actions can only name the objects of {bucket.node.id} as its ARN + /*; the grant "
            "is scoped to this one bucket.",
        )
    )


def _bucket_statement(bucket: s3.Bucket, access: Access) -> iam.PolicyStatement:
    actions = {
        Access.READ: OBJECT_READ_ACTIONS,
        Access.READ_WRITE: OBJECT_READ_ACTIONS + OBJECT_WRITE_ACTIONS,
        Access.WRITE: OBJECT_PUT_ACTIONS,
    }[access]
    return iam.PolicyStatement(actions=list(actions), resources=[bucket.arn_for_objects("*")])
