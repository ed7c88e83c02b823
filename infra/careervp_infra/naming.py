"""Every physical resource name CareerVP declares: `careervp-<env>-<component>-<resource>`.

One module builds the names (the CDK stacks call `physical_name`) and states the rules the naming
gatekeeper checks templates against (`check_name`), so the two can never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from careervp_infra.environments import load_environments

PROJECT = "careervp"
PREFIX = f"{PROJECT}-"
ENV_TAG = f"{PROJECT}:env"
"""The tag naming the environment on every resource of a service stack (IAM conditions hold roles to it)."""

_SEGMENT = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_ALLOWED_CHARACTERS = re.compile(r"[A-Za-z0-9-]")


class Service(StrEnum):
    """A kind of named resource; each has its own length limit."""

    S3_BUCKET = "S3 bucket"
    DYNAMODB_TABLE = "DynamoDB table"
    LAMBDA_FUNCTION = "Lambda function"
    IAM_ROLE = "IAM role"
    LOG_GROUP = "CloudWatch log group"
    CLOUDWATCH_ALARM = "CloudWatch alarm"
    REST_API = "API Gateway REST API"
    BUDGET = "AWS budget"
    SECRET = "Secrets Manager secret"  # noqa: S105 (a service label, not a secret)
    SNS_TOPIC = "SNS topic"
    SQS_QUEUE = "SQS queue"
    STACK = "CloudFormation stack"
    EVENTS_RULE = "EventBridge rule"
    WAF_WEB_ACL = "WAF web ACL"
    COGNITO_USER_POOL = "Cognito user pool"
    COGNITO_USER_POOL_CLIENT = "Cognito user pool client"
    CLOUDFRONT_DISTRIBUTION = "CloudFront distribution (its comment)"
    CLOUDFRONT_ORIGIN_ACCESS_CONTROL = "CloudFront origin access control"
    CODEDEPLOY_APPLICATION = "CodeDeploy application"
    CODEDEPLOY_DEPLOYMENT_GROUP = "CodeDeploy deployment group"


NAME_LIMITS: dict[Service, int] = {
    Service.S3_BUCKET: 63,
    Service.DYNAMODB_TABLE: 255,
    Service.LAMBDA_FUNCTION: 64,
    Service.IAM_ROLE: 64,
    Service.LOG_GROUP: 512,
    Service.CLOUDWATCH_ALARM: 255,
    Service.REST_API: 1024,
    Service.BUDGET: 100,
    Service.SECRET: 512,
    Service.SNS_TOPIC: 256,
    Service.SQS_QUEUE: 80,
    Service.STACK: 128,
    Service.EVENTS_RULE: 64,
    Service.WAF_WEB_ACL: 128,
    Service.COGNITO_USER_POOL: 128,
    Service.COGNITO_USER_POOL_CLIENT: 128,
    Service.CLOUDFRONT_DISTRIBUTION: 128,
    Service.CLOUDFRONT_ORIGIN_ACCESS_CONTROL: 64,
    Service.CODEDEPLOY_APPLICATION: 100,
    Service.CODEDEPLOY_DEPLOYMENT_GROUP: 100,
}
"""The longest name each service accepts (characters)."""

LOG_GROUP_PREFIXES: tuple[str, ...] = ("/aws/lambda/", "/aws/apigateway/", "aws-waf-logs-")
"""Service prefixes a log group name may carry before the `careervp-...` part (WAF logs only to groups
named `aws-waf-logs-...`)."""


class Rule(StrEnum):
    """The naming rules; a violation names the one it breaks."""

    CASE = "case"
    CHARACTERS = "characters"
    MISSING_PREFIX = "missing-prefix"
    UNKNOWN_ENVIRONMENT = "unknown-environment"
    STRUCTURE = "structure"
    LENGTH = "length"


@dataclass(frozen=True)
class NameViolation:
    """One rule a name breaks, with a message a person can act on."""

    name: str
    rule: Rule
    message: str


class NamingError(ValueError):
    """`physical_name` was asked for a name that would break the rules."""


def physical_name(env: str, component: str, resource: str, *, service: Service | None = None) -> str:
    """`careervp-<env>-<component>-<resource>`; refuses unknown environments and bad or over-long names.

    With `service`, the name is also held to that service's length limit.
    """
    environments = load_environments()
    environments.get_stack(env)
    for label, segment in (("component", component), ("resource", resource)):
        if not _SEGMENT.match(segment):
            raise NamingError(
                f"{label} {segment!r} must be lowercase letters, digits and single hyphens (e.g. 'kb')"
            )
    name = f"{PREFIX}{env}-{component}-{resource}"
    if service is not None:
        violations = check_name(name, service, environments.stack_names)
        if violations:
            raise NamingError("; ".join(violation.message for violation in violations))
    return name


def log_group_name(prefix: str, name: str) -> str:
    """A log group name under one of the service prefixes, e.g. `/aws/lambda/careervp-dev-kb-api`."""
    if prefix not in LOG_GROUP_PREFIXES:
        raise NamingError(f"log group prefix {prefix!r} is not one of {', '.join(LOG_GROUP_PREFIXES)}")
    return f"{prefix}{name}"


def check_name(name: str, service: Service, environments: Iterable[str]) -> list[NameViolation]:
    """Every rule `name` breaks as the physical name of a `service` resource (empty when it is good)."""
    known = tuple(environments)
    violations: list[NameViolation] = []
    limit = NAME_LIMITS[service]
    if len(name) > limit:
        violations.append(
            NameViolation(
                name,
                Rule.LENGTH,
                f"{len(name)} characters is over the {service} limit of {limit}; shorten the component "
                "or resource word",
            )
        )
    core = _strip_log_group_prefix(name) if service is Service.LOG_GROUP else name
    violations.extend(_character_violations(name, core))
    lowered = core.lower()
    if not lowered.startswith(PREFIX):
        violations.append(
            NameViolation(name, Rule.MISSING_PREFIX, f"does not start with '{PREFIX}<env>-<component>-'")
        )
        return violations
    rest = lowered.removeprefix(PREFIX)
    env = _environment_in(rest, known)
    if env is None:
        segment = rest.split("-", 1)[0]
        violations.append(
            NameViolation(
                name,
                Rule.UNKNOWN_ENVIRONMENT,
                f"environment {segment!r} is not declared; known environments are {', '.join(known)}",
            )
        )
        return violations
    parts = [part for part in re.split(r"[^a-z0-9]+", rest.removeprefix(f"{env}-")) if part]
    if len(parts) < 2:
        violations.append(
            NameViolation(
                name,
                Rule.STRUCTURE,
                f"needs a component and a resource after {PREFIX}{env}- (<component>-<resource>)",
            )
        )
    return violations


def environment_of(name: str, environments: Iterable[str]) -> str | None:
    """The declared environment a `careervp-<env>-...` name belongs to, if any."""
    core = _strip_log_group_prefix(name).lower()
    if not core.startswith(PREFIX):
        return None
    return _environment_in(core.removeprefix(PREFIX), tuple(environments))


def _strip_log_group_prefix(name: str) -> str:
    for prefix in LOG_GROUP_PREFIXES:
        if name.startswith(prefix):
            return name.removeprefix(prefix)
    return name


def _character_violations(name: str, core: str) -> list[NameViolation]:
    violations = []
    if core != core.lower():
        violations.append(NameViolation(name, Rule.CASE, "contains uppercase letters; use lowercase only"))
    bad = sorted({char for char in core if not _ALLOWED_CHARACTERS.match(char)})
    if bad:
        violations.append(
            NameViolation(
                name,
                Rule.CHARACTERS,
                f"contains {' '.join(repr(char) for char in bad)}; only letters, digits and hyphens allowed",
            )
        )
    elif core.startswith("-") or core.endswith("-") or "--" in core:
        violations.append(
            NameViolation(name, Rule.CHARACTERS, "has an empty segment (leading, trailing or double hyphen)")
        )
    return violations


def _environment_in(rest: str, known: tuple[str, ...]) -> str | None:
    """The longest declared environment that `rest` starts with, followed by a hyphen."""
    matches = [env for env in known if rest.startswith(f"{env}-")]
    return max(matches, key=len) if matches else None
