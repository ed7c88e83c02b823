"""Which changes widen access: the IAM and security-group changes a reviewer must see before approving
(what CDK Pipelines pauses on as `ConfirmPermissionsBroadening`).

From the templates, as `cdk diff` does: an `Allow` policy statement (in any policy document of an IAM
resource, a resource policy, or a Lambda permission) that the live template does not have, a managed policy
attached, or a security-group rule added. Removing access is never flagged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

POLICY_TYPES = frozenset(
    {
        "AWS::S3::BucketPolicy",
        "AWS::SQS::QueuePolicy",
        "AWS::SNS::TopicPolicy",
        "AWS::KMS::Key",
        "AWS::SecretsManager::ResourcePolicy",
        "AWS::ApiGateway::RestApi",
    }
)
"""Types with a policy document besides `AWS::IAM::*`."""
RULE_TYPES = frozenset({"AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"})


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _statements(value: object) -> Iterator[dict[str, Any]]:
    """Every policy statement anywhere under `value` (a `Statement` list or object)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Statement":
                yield from (s for s in (inner if isinstance(inner, list) else [inner]) if isinstance(s, dict))
            else:
                yield from _statements(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _statements(inner)


def _show(statement: dict[str, Any]) -> str:
    parts = [
        f"{key} {_canonical(statement[key])}"
        for key in ("Principal", "Action", "NotAction", "Resource", "NotResource")
        if key in statement
    ]
    return "; ".join(parts)


def _new(before: list[Any], after: list[Any]) -> list[Any]:
    seen = {_canonical(item) for item in before}
    return [item for item in after if _canonical(item) not in seen]


def widenings(resource_type: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """What the change from `before` to `after` (a resource's `Properties`; None: absent) grants that was
    not granted before; empty when it widens nothing."""
    if after is None:
        return []
    old = before or {}
    found: list[str] = []
    if resource_type.startswith("AWS::IAM::") or resource_type in POLICY_TYPES:
        allows = [s for s in _statements(after) if s.get("Effect") == "Allow"]
        found += [f"allows {_show(s)}" for s in _new(list(_statements(old)), allows)]
        found += [
            f"attaches managed policy {_canonical(arn)}"
            for arn in _new(old.get("ManagedPolicyArns", []), after.get("ManagedPolicyArns", []))
        ]
    elif resource_type == "AWS::Lambda::Permission":
        if _canonical(old) != _canonical(after):
            found.append(f"lets {_canonical(after.get('Principal'))} {after.get('Action')} the function")
    elif resource_type == "AWS::EC2::SecurityGroup":
        for key in ("SecurityGroupIngress", "SecurityGroupEgress"):
            found += [f"adds {key} rule {_canonical(r)}" for r in _new(old.get(key, []), after.get(key, []))]
    elif resource_type in RULE_TYPES and _canonical(old) != _canonical(after):
        found.append(f"adds {resource_type.rsplit('::', 1)[1]} rule {_canonical(after)}")
    return found
