"""The account stack's IAM rules, checked on the resolved template: who may assume each role, what it may do.

- `trust`: a GitHub role is assumed only with a token of this repository in its own GitHub environment
  (StringEquals on `aud` and `sub`, the account's GitHub provider); an execution role only by CloudFormation.
- `wildcard-action`: no `*` (nor `*:*`, `iam:*`, `sts:*`), no AdministratorAccess-like managed policy, and
  nothing but reads on resource `*` unless held to the environment's tag.
- `read-only`: every action of a read-only role is "Read" or "List" (policy_sentry's access levels), but for
  the plan of an environment behind approval (`plan_grant`): creating its change set only as its execution
  role, passing only that role, only to CloudFormation, and publishing the CDK assets under its prefix.
- `isolation`: no statement of an environment's role names another environment's resources or store keys.
- `assets`: a role's S3 statements reach the CDK asset bucket only under its own environment's prefix
  (`asset_prefix`): asset keys are content hashes the release does not overwrite, so a write elsewhere could
  plant the bytes another environment deploys.
- `escalation`: an execution role, which manages its stack's roles, is denied the account's own roles.
- `ledger`: ledger writes are create-only (`s3:if-none-match`), nobody deletes them or bypasses Object Lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from typing import Any

from careervp_infra.account.arns import asset_objects, s3_bucket, service_stack
from careervp_infra.account.naming import (
    ASSET_BUCKET,
    GITHUB_AUDIENCE,
    GITHUB_TOKEN_HOST,
    Repository,
    asset_prefix,
    execution_role_arn,
    execution_role_name,
    role_name,
)
from careervp_infra.environments import Environment, Environments
from careervp_infra.naming import ENV_TAG
from policy_sentry.querying.actions import get_action_data

from careervp_ci.account.template import PLACEHOLDERS, AccountTemplate, Role, as_list, resolve

ADMIN_POLICIES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")
FORBIDDEN_ACTIONS = ("*", "*:*", "iam:*", "sts:*", "s3:BypassGovernanceRetention", "s3:PutObjectRetention",
                     "s3:PutBucketObjectLockConfiguration", "s3:DeleteObjectVersion")  # fmt: skip
READ_LEVELS = frozenset({"Read", "List"})
ASSET_KEY = f"{'0' * 64}.zip"
"""A key as the synthesizer names an asset (its content hash), under each prefix the `assets` rule tries."""


@dataclass(frozen=True)
class Finding:
    rule: str
    subject: str
    message: str

    def render(self) -> str:
        return f"{self.rule}: {self.subject}: {self.message}"


@dataclass(frozen=True)
class RoleSpec:
    """What the registry says a role is for."""

    env: Environment
    github_environment: str | None
    read_only: bool


def expected_roles(registry: Environments) -> dict[str, RoleSpec]:
    """Every role the account stack must hold, by name: GitHub roles, then execution roles."""
    roles = {
        role_name(access): RoleSpec(access.environment, name, access.read_only)
        for name, access in registry.github_environments.items()
    }
    for env in registry.stacks:
        if env.github is not None:
            roles[execution_role_name(env)] = RoleSpec(env, None, False)
    return roles


def _entries(action: str) -> list[dict[str, Any]]:
    service, _, name = action.partition(":")
    if "*" in action or not name:
        return []
    return [
        entry
        for entry in get_action_data(service, name).get(service, [])
        if str(entry["action"]).lower() == action.lower()
    ]


@cache
def access_level(action: str) -> str:
    """policy_sentry's access level of `service:Action` ("Unknown" when it does not know the action)."""
    if "*" in action:
        return "Wildcard"
    entries = _entries(action)
    return str(entries[0]["access_level"]) if entries else "Unknown"


@cache
def granted_on_any_only(action: str) -> bool:
    """IAM grants `action` on `*` only (it has no resource type), so `*` names no one's resources."""
    entries = _entries(action)
    return bool(entries) and all(entry["resource_arn_format"] == "*" for entry in entries)


def check_roles(template: AccountTemplate, registry: Environments, repository: Repository) -> list[Finding]:
    """Every IAM rule over every role; also that the roles are exactly those the registry implies."""
    findings: list[Finding] = []
    expected = expected_roles(registry)
    present = {role.name: role for role in template.roles}
    findings.extend(
        Finding(
            "registry", name, f"the registry implies this role ({_purpose(spec)}) but the template lacks it"
        )
        for name, spec in expected.items()
        if name not in present
    )
    for role in template.roles:
        spec = expected.get(role.name)
        if spec is None:
            findings.append(
                Finding("registry", role.name, "no environment of the registry declares this role")
            )
            continue
        findings.extend(_trust(role, spec, repository))
        if spec.github_environment is None:
            findings.extend(_guards_account_roles(role, spec, expected))
        findings.extend(_permissions(role, spec, registry))
    return findings


def _guards_account_roles(role: Role, spec: RoleSpec, expected: dict[str, RoleSpec]) -> Iterator[Finding]:
    """An execution role manages `careervp-<env>-*` roles: it must be denied the account's own ones."""
    account = f"arn:aws:iam::{PLACEHOLDERS['AWS::AccountId']}:role/"
    denied = [
        str(resource)
        for statement in role.statements
        if statement.get("Effect") == "Deny" and "iam:*" in as_list(statement.get("Action", []))
        for resource in as_list(statement.get("Resource", []))
    ]
    for name, other in expected.items():
        if other.env.name == spec.env.name and not any(
            fnmatchcase(account + name, pattern) for pattern in denied
        ):
            yield Finding(
                "escalation",
                role.name,
                f"may change {name} (it manages {spec.env.name}'s roles): deny it iam:* on the "
                "account's roles",
            )


def _purpose(spec: RoleSpec) -> str:
    if spec.github_environment is None:
        return f"CloudFormation's execution role for {spec.env.name}"
    return f"GitHub environment {spec.github_environment}{' (read-only)' if spec.read_only else ''}"


def _trust(role: Role, spec: RoleSpec, repository: Repository) -> Iterator[Finding]:
    statements = as_list(role.trust.get("Statement", []))
    if not statements:
        yield Finding("trust", role.name, "has no trust statement")
    for statement in statements:
        principal = statement.get("Principal", {})
        if statement.get("Effect") != "Allow":
            continue
        if spec.github_environment is None:
            if principal != {"Service": "cloudformation.amazonaws.com"}:
                yield Finding(
                    "trust", role.name, f"an execution role trusts only CloudFormation, not {principal}"
                )
            continue
        yield from _github_trust(role.name, statement, repository.subject(spec.github_environment))


def _github_trust(name: str, statement: dict[str, Any], subject: str) -> Iterator[Finding]:
    provider = f"arn:aws:iam::{PLACEHOLDERS['AWS::AccountId']}:oidc-provider/{GITHUB_TOKEN_HOST}"
    federated = statement.get("Principal", {}).get("Federated")
    if not (isinstance(federated, str) and federated.endswith(f":oidc-provider/{GITHUB_TOKEN_HOST}")):
        yield Finding(
            "trust", name, f"trusts {statement.get('Principal')}, not GitHub's provider ({provider})"
        )
    if statement.get("Action") != "sts:AssumeRoleWithWebIdentity":
        yield Finding(
            "trust", name, f"allows {statement.get('Action')}, not only sts:AssumeRoleWithWebIdentity"
        )
    conditions = statement.get("Condition", {})
    equals = conditions.get("StringEquals", {})
    for operator in set(conditions) - {"StringEquals"}:
        yield Finding(
            "trust", name, f"{operator} loosens the trust: match aud and sub with StringEquals only"
        )
    if equals.get(f"{GITHUB_TOKEN_HOST}:aud") != GITHUB_AUDIENCE:
        yield Finding("trust", name, f"does not require aud = {GITHUB_AUDIENCE}")
    if equals.get(f"{GITHUB_TOKEN_HOST}:sub") != subject:
        yield Finding(
            "trust",
            name,
            f"admits sub {equals.get(f'{GITHUB_TOKEN_HOST}:sub')!r}; it must be exactly {subject!r} (this "
            "repository, this GitHub environment)",
        )


def _permissions(role: Role, spec: RoleSpec, registry: Environments) -> Iterator[Finding]:
    for arn in role.managed_policy_arns:
        if arn.rsplit("/", 1)[-1] in ADMIN_POLICIES:
            yield Finding("wildcard-action", role.name, f"attaches {arn}")
    others = [env.name for env in registry.stacks if env.name != spec.env.name]
    for statement in role.statements:
        if statement.get("Effect") != "Allow":
            continue
        sid = statement.get("Sid", "(no Sid)")
        actions = [str(action) for action in as_list(statement.get("Action", []))]
        resources = [str(resource) for resource in as_list(statement.get("Resource", []))]
        where = f"{role.name} {sid}"
        for action in actions:
            if action in FORBIDDEN_ACTIONS:
                yield Finding("wildcard-action", where, f"grants {action}")
        levels = {action: access_level(action) for action in actions}
        writes = [action for action, level in levels.items() if level not in READ_LEVELS]
        if spec.read_only and writes and not plan_grant(statement, spec.env):
            yield Finding("read-only", where, f"a read-only role is granted {', '.join(sorted(writes))}")
        if "*" in resources and writes and not _held_to_env(statement, spec.env.name):
            yield Finding(
                "wildcard-action",
                where,
                f"grants {', '.join(sorted(writes))} on * without the condition {ENV_TAG} = {spec.env.name}",
            )
        yield from _isolation(where, statement, resources, spec.env.name, others)
        yield from _assets(where, actions, resources, spec.env, registry)
        yield from _ledger(where, statement, actions, resources, [spec.env.name, *others])


def plan_grant(statement: dict[str, Any], env: Environment) -> bool:
    """The statement is one of the writes planning `env`'s deploy takes (release/gate.py `change_set`):
    `env` is behind approval and it creates a change set only as `env`'s execution role, passes only that
    role and only to CloudFormation, or publishes the CDK assets. Nothing executes or changes a stack."""
    if not env.requires_approval:
        return False
    role = execution_role_arn(
        env, account=PLACEHOLDERS["AWS::AccountId"], partition=PLACEHOLDERS["AWS::Partition"]
    )
    actions = sorted(map(str, as_list(statement.get("Action", []))))
    resources = [str(resource) for resource in as_list(statement.get("Resource", []))]
    conditions = statement.get("Condition", {})
    equals = conditions.get("StringEquals", {})
    if set(conditions) - {"StringEquals"}:
        return False
    if actions == ["cloudformation:CreateChangeSet"]:
        stack = resolve({"Fn::Sub": service_stack(env.name)}, PLACEHOLDERS)
        return resources == [stack] and equals == {"cloudformation:RoleArn": role}
    if actions == ["iam:PassRole"]:
        return resources == [role] and equals == {"iam:PassedToService": "cloudformation.amazonaws.com"}
    assets = resolve({"Fn::Sub": asset_objects(env)}, PLACEHOLDERS)
    return set(actions) <= {"s3:GetObject", "s3:PutObject"} and resources == [assets] and not conditions


def _held_to_env(statement: dict[str, Any], env: str) -> bool:
    equals = statement.get("Condition", {}).get("StringEquals", {})
    return any(equals.get(f"aws:{kind}/{ENV_TAG}") == env for kind in ("ResourceTag", "RequestTag"))


def _isolation(
    where: str, statement: dict[str, Any], resources: list[str], env: str, others: list[str]
) -> Iterator[Finding]:
    equals = statement.get("Condition", {}).get("StringEquals", {})
    for kind in ("ResourceTag", "RequestTag"):
        value = equals.get(f"aws:{kind}/{ENV_TAG}")
        if value is not None and value != env:
            yield Finding("isolation", where, f"is held to {ENV_TAG} = {value}, another environment's tag")
    reads_store_only = set(as_list(statement.get("Action", []))) <= {"s3:GetObject", "s3:ListBucket"} and all(
        ":::careervp-artifacts-" in resource for resource in resources
    )
    unscoped = resources == ["*"] and (
        _held_to_env(statement, env) or all(map(granted_on_any_only, as_list(statement.get("Action", []))))
    )
    if reads_store_only or unscoped:
        return
    for other in others:
        for resource in resources:
            touched = [arn for arn in other_environment_arns(other) if fnmatchcase(arn, resource)]
            if touched:
                yield Finding("isolation", where, f"{resource} reaches {other}'s {touched[0]}")


def _assets(
    where: str, actions: list[str], resources: list[str], env: Environment, registry: Environments
) -> Iterator[Finding]:
    if not any(action == "*" or action.lower().startswith("s3:") for action in actions):
        return
    bucket = resolve({"Fn::Sub": s3_bucket(ASSET_BUCKET)}, PLACEHOLDERS)
    own = asset_prefix(env)
    foreign = [*sorted({asset_prefix(other) for other in registry.stacks} - {own}), ""]
    for resource in resources:
        reached = [prefix for prefix in foreign if fnmatchcase(f"{bucket}/{prefix}{ASSET_KEY}", resource)]
        if reached:
            under = ", ".join(prefix or "(no prefix)" for prefix in reached)
            yield Finding(
                "assets",
                where,
                f"{resource} reaches asset keys under {under}: a role touches the CDK asset bucket only "
                f"under its environment's {own}, else it can plant the bytes another environment deploys",
            )


def other_environment_arns(env: str) -> tuple[str, ...]:
    """ARNs of what `env`'s stack and releases own (placeholder account): what other roles must not match."""
    account, region = PLACEHOLDERS["AWS::AccountId"], PLACEHOLDERS["AWS::Region"]
    regional = f"{region}:{account}"
    store = f"arn:aws:s3:::careervp-artifacts-{account}-{region}"
    name = f"careervp-{env}-x"
    return (
        f"arn:aws:cloudformation:{regional}:stack/careervp-{env}-service-stack/id",
        f"arn:aws:s3:::{name}",
        f"arn:aws:s3:::{name}/key",
        f"arn:aws:dynamodb:{regional}:table/{name}",
        f"arn:aws:lambda:{regional}:function:{name}",
        f"arn:aws:logs:{regional}:log-group:/aws/lambda/{name}",
        f"arn:aws:sns:{regional}:{name}",
        f"arn:aws:secretsmanager:{regional}:secret:{name}",
        f"arn:aws:cloudwatch:{regional}:alarm:{name}",
        f"arn:aws:iam::{account}:role/{name}",
        f"{store}/ledger/{env}/00000001.json",
        f"{store}/approvals/{env}/x.json",
        f"{store}/runs/{env}/run/x",
        f"{store}/locks/{env}.json",
    )


def _ledger(
    where: str, statement: dict[str, Any], actions: list[str], resources: list[str], envs: list[str]
) -> Iterator[Finding]:
    store = other_environment_arns("x")[-4].rsplit("/ledger/", 1)[0]
    samples = [f"{store}/ledger/{env}/00000001.json" for env in envs]
    ledger = [resource for resource in resources if any(fnmatchcase(sample, resource) for sample in samples)]
    if not ledger:
        return
    if "s3:DeleteObject" in actions:
        yield Finding("ledger", where, f"may delete ledger records ({ledger[0]})")
    create_only = statement.get("Condition", {}).get("StringEquals", {}).get("s3:if-none-match") == "*"
    if "s3:PutObject" in actions and not create_only:
        yield Finding(
            "ledger", where, f"may overwrite ledger records ({ledger[0]}): require s3:if-none-match = *"
        )
