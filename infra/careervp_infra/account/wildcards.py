"""Why each wildcard in the account stack's policies is there: cdk-nag's AwsSolutions-IAM5 findings,
acknowledged one resource or action at a time with the reason of the statement that holds it."""

from __future__ import annotations

import re

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_iam as iam

SCOPED_BY_NAME = (
    "scoped to the careervp-<env>- names the environment's stack gives its resources; no other environment's "
    "name matches (the account checks try every other environment's names against it)"
)
REASONS: tuple[tuple[str, str], ...] = (
    ("ReadDriftStatus", "DescribeStackDriftDetectionStatus has no resource type: IAM grants it on * only"),
    (
        "ReadStore",
        "every role reads the whole store: a promotion reads the ledger of the environment it promotes from, "
        "a deploy the artifact by digest; writes are per environment prefix",
    ),
    ("Tagged", "user pool, distribution and API ARNs carry ids, not names: held to the env tag instead"),
    ("OwnStack", "a stack's ARN ends in an id CloudFormation makes: stack/<name>/* is this one stack"),
    (
        "AsItsExecutionRole",
        "a stack's ARN ends in an id CloudFormation makes: stack/<name>/* is this one stack",
    ),
    (
        "OwnStorePrefixes",
        "the environment's own prefixes of the artifact store (careervp_infra.account.naming)",
    ),
    ("OwnLocks", "the environment's own lock keys (locks/<env>.json, locks/<env>.takeover.<run>)"),
    ("OwnLedger", "the environment's own ledger prefix and the store's event log, create-only"),
    ("Assets", "CDK file assets are content-addressed objects under keys the synthesizer derives"),
    (
        "PublishArtifacts",
        "artifacts are named by their digest (sha256-<hex>.tar) and every read re-hashes them",
    ),
    ("CoverageBaseline", "main's coverage baseline (coverage/main.json), written by the nightly on dev only"),
    ("ManageRoles", "the roles the environment's stack creates: " + SCOPED_BY_NAME),
    (
        "Manage",
        "CloudFormation creates, changes and deletes every kind of this service's resources; "
        + SCOPED_BY_NAME,
    ),
    ("Read", SCOPED_BY_NAME),
    ("RunTime", SCOPED_BY_NAME),
)


def reason_for(sid: str) -> str:
    """The reason of the first entry whose key the statement id contains."""
    for key, reason in REASONS:
        if key in sid:
            return reason
    raise KeyError(f"statement {sid!r} has a wildcard and no reason in careervp_infra.account.wildcards")


def nag_form(text: str) -> str:
    """How cdk-nag spells an Fn::Sub string in a finding id: `${AWS::Region}` becomes `<AWS::Region>`."""
    return re.sub(r"\$\{([^}]+)\}", r"<\1>", text)


def acknowledge_wildcards(role: iam.Role, document: iam.PolicyDocument) -> None:
    """Acknowledge each wildcard resource and action of `document` on `role`, with its statement's reason."""
    stack = Stack.of(role)
    statements = stack.resolve(document.to_json())["Statement"]
    acknowledgments: dict[str, str] = {}
    for statement in statements:
        if statement["Effect"] != "Allow":
            continue  # a wildcard in a Deny takes more away, and cdk-nag's IAM5 looks at grants only
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        for action in actions:
            if "*" in action:
                acknowledgments[f"AwsSolutions-IAM5[Action::{action}]"] = reason_for(statement["Sid"])
        for resource in resources:
            text = resource["Fn::Sub"] if isinstance(resource, dict) else resource
            if "*" in text:
                acknowledgments[f"AwsSolutions-IAM5[Resource::{nag_form(text)}]"] = reason_for(
                    statement["Sid"]
                )
    Validations.of(role).acknowledge(
        *(Acknowledgment(id=finding, reason=reason) for finding, reason in sorted(acknowledgments.items()))
    )
