"""The naming gatekeeper's core: every physical name a set of CloudFormation templates declares, checked.

Errors are names that break a rule in `careervp_infra.naming`. Warnings are names the gatekeeper cannot
see: a resource of a named kind with no explicit name (CloudFormation would invent one outside the
scheme) or a name computed by an intrinsic function.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from careervp_infra.cloud_assembly import MANIFEST, property_at, stack_templates
from careervp_infra.naming import Service, check_name

TEMPLATE_SUFFIX = ".template.json"

NAME_PROPERTIES: dict[str, tuple[tuple[str, ...], Service]] = {
    "AWS::S3::Bucket": (("BucketName",), Service.S3_BUCKET),
    "AWS::DynamoDB::Table": (("TableName",), Service.DYNAMODB_TABLE),
    "AWS::Lambda::Function": (("FunctionName",), Service.LAMBDA_FUNCTION),
    "AWS::Logs::LogGroup": (("LogGroupName",), Service.LOG_GROUP),
    "AWS::CloudWatch::Alarm": (("AlarmName",), Service.CLOUDWATCH_ALARM),
    "AWS::IAM::Role": (("RoleName",), Service.IAM_ROLE),
    "AWS::ApiGateway::RestApi": (("Name",), Service.REST_API),
    "AWS::Budgets::Budget": (("Budget", "BudgetName"), Service.BUDGET),
    "AWS::SecretsManager::Secret": (("Name",), Service.SECRET),
    "AWS::SNS::Topic": (("TopicName",), Service.SNS_TOPIC),
    "AWS::SQS::Queue": (("QueueName",), Service.SQS_QUEUE),
    "AWS::Events::Rule": (("Name",), Service.EVENTS_RULE),
    "AWS::WAFv2::WebACL": (("Name",), Service.WAF_WEB_ACL),
    "AWS::Cognito::UserPool": (("UserPoolName",), Service.COGNITO_USER_POOL),
    "AWS::Cognito::UserPoolClient": (("ClientName",), Service.COGNITO_USER_POOL_CLIENT),
    "AWS::CloudFront::Distribution": (("DistributionConfig", "Comment"), Service.CLOUDFRONT_DISTRIBUTION),
    "AWS::CloudFront::OriginAccessControl": (
        ("OriginAccessControlConfig", "Name"),
        Service.CLOUDFRONT_ORIGIN_ACCESS_CONTROL,
    ),
    "AWS::CodeDeploy::Application": (("ApplicationName",), Service.CODEDEPLOY_APPLICATION),
    "AWS::CodeDeploy::DeploymentGroup": (("DeploymentGroupName",), Service.CODEDEPLOY_DEPLOYMENT_GROUP),
}
"""Resource type -> the property path of its physical name, and the service whose limits apply."""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem with one declared name: where it is, the name, and the rule it breaks."""

    file: Path
    logical_id: str
    resource_type: str
    name: str
    rule: str
    message: str
    severity: Severity = Severity.ERROR

    def render(self) -> str:
        return (
            f"{self.severity.upper()} {self.file}: {self.logical_id} ({self.resource_type}) "
            f"{self.name!r} [{self.rule}] {self.message}"
        )


def find_templates(root: Path) -> list[Path]:
    """`root` itself when it is a template, else every `*.template.json` below it (nested assemblies too)."""
    if root.is_file():
        return [root]
    return sorted(
        path
        for path in root.rglob(f"*{TEMPLATE_SUFFIX}")
        if not any(part.startswith("asset.") for part in path.relative_to(root).parts)
    )


def check_templates(templates: Iterable[Path], environments: Iterable[str]) -> list[Finding]:
    """Every finding in the given template files."""
    known = tuple(environments)
    findings: list[Finding] = []
    for path in templates:
        template = json.loads(path.read_text(encoding="utf-8"))
        findings.extend(check_template(path, template, known))
    return findings


def check_template(path: Path, template: Mapping[str, Any], environments: tuple[str, ...]) -> list[Finding]:
    findings: list[Finding] = []
    for logical_id, resource in template.get("Resources", {}).items():
        resource_type = resource.get("Type", "")
        if resource_type not in NAME_PROPERTIES:
            continue
        property_path, service = NAME_PROPERTIES[resource_type]
        name = property_at(resource.get("Properties", {}), property_path)
        where = (path, logical_id, resource_type)
        if name is None:
            findings.append(
                Finding(
                    *where,
                    name="",
                    rule="no-physical-name",
                    message=f"declares no {'.'.join(property_path)}; CloudFormation would generate a name "
                    "outside careervp-<env>-<component>-<resource>",
                    severity=Severity.WARNING,
                )
            )
        elif not isinstance(name, str):
            findings.append(
                Finding(
                    *where,
                    name=json.dumps(name, sort_keys=True),
                    rule="computed-name",
                    message="the name is computed by an intrinsic function, so it cannot be checked here",
                    severity=Severity.WARNING,
                )
            )
        else:
            findings.extend(
                Finding(*where, name=name, rule=violation.rule.value, message=violation.message)
                for violation in check_name(name, service, environments)
            )
    return findings


def check_stack_names(assembly: Path, environments: Iterable[str]) -> list[Finding]:
    """The stack names an assembly's manifests declare (a folder of bare templates has none)."""
    if not (assembly / MANIFEST).is_file():
        return []
    known = tuple(environments)
    return [
        Finding(
            stack.template_path,
            "(stack name)",
            "AWS::CloudFormation::Stack",
            stack.stack_name,
            violation.rule.value,
            violation.message,
        )
        for stack in stack_templates(assembly)
        for violation in check_name(stack.stack_name, Service.STACK, known)
    ]
