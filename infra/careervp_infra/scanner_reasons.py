"""Why the IaC security scanner's findings that CareerVP accepts do not apply, written into the template.

`synth` runs checkov over every synthesized template (careervp_ci.pipeline.steps.iac_scan) and fails on any
finding that has no reason. A reason lives in the resource's own `Metadata.checkov.skip` (checkov reads it:
`cloudformation/context_parser.py`), so it travels with the resource it excuses. `explain` is called next to
the resource; `RESOURCE_TYPE_REASONS` holds the few that hold for every resource of a type, in one place so a
reviewer sees them at once.
"""

from __future__ import annotations

from typing import Any, Final, cast

import jsii
from aws_cdk import Aspects, CfnResource, IAspect, Stack
from constructs import IConstruct

RESOURCE_TYPE_REASONS: Final[dict[str, dict[str, str]]] = {
    "AWS::Lambda::Function": {
        "CKV_AWS_117": "No function reaches a private network: DynamoDB, S3, Secrets Manager and SES are "
        "called over their public endpoints with IAM-signed requests. A VPC would add NAT gateways (a fixed "
        "cost per environment) and protect nothing.",
        "CKV_AWS_173": "The environment holds names and ARNs only (tables, buckets, the secret's ARN); "
        "secret values stay in Secrets Manager and are read at run time. Lambda encrypts the variables at "
        "rest with its service key.",
    },
    "AWS::Logs::LogGroup": {
        "CKV_AWS_158": "CloudWatch Logs encrypts every group at rest with its service key, and only the "
        "account's operators read these groups; a customer key per group would add cost and a key policy to "
        "keep without narrowing who can read them.",
    },
    "AWS::DynamoDB::Table": {
        "CKV_AWS_119": "Encrypted at rest with the AWS managed key (aws/dynamodb: AWS_MANAGED). A "
        "customer-managed key adds a key policy per environment to keep; nothing here requires owning the "
        "key yet (revisit with a compliance requirement that does).",
    },
}
"""checkov finding -> reason, for every resource of a CloudFormation type."""


def explain(construct: IConstruct, check: str, reason: str) -> None:
    """Record on `construct`'s CloudFormation resource why the scanner's `check` does not apply to it."""
    resource = construct if isinstance(construct, CfnResource) else construct.node.default_child
    if not isinstance(resource, CfnResource):
        raise TypeError(f"{construct.node.path} has no CloudFormation resource to explain {check} on")
    metadata = cast(dict[str, Any] | None, resource.get_metadata("checkov")) or {"skip": []}
    metadata["skip"] = [*metadata["skip"], {"id": check, "comment": reason}]
    resource.add_metadata("checkov", metadata)


@jsii.implements(IAspect)
class _ExplainResourceTypes:
    def visit(self, node: IConstruct) -> None:
        if isinstance(node, CfnResource):
            for check, reason in RESOURCE_TYPE_REASONS.get(node.cfn_resource_type, {}).items():
                explain(node, check, reason)


def explain_resource_types(stack: Stack) -> None:
    """Attach `RESOURCE_TYPE_REASONS` to every resource of those types in `stack`."""
    Aspects.of(stack).add(_ExplainResourceTypes())
