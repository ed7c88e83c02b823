"""The account template with its intrinsic functions resolved, and the roles and buckets it declares.

The checks read documents as IAM will see them: `Fn::Sub` and `Ref` of the pseudo parameters become the
account's values (placeholders before a deploy), `Ref`/`Fn::GetAtt` of a resource its logical id.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careervp_ci.errors import UsageError

PLACEHOLDERS = {"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "111122223333"}
"""Pseudo parameters of a template not yet deployed (the region is replaced by the target's)."""


class TemplateError(UsageError):
    """The folder holds no account template, or it is not one."""


def resolve(value: Any, pseudo: dict[str, str]) -> Any:
    """`value` with Fn::Sub, Fn::Join, Ref and Fn::GetAtt replaced by strings."""
    if isinstance(value, list):
        return [resolve(item, pseudo) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, argument),) = value.items()
        if key == "Fn::Sub" and isinstance(argument, str):
            return re.sub(r"\$\{([^}!]+)\}", lambda match: pseudo.get(match[1], f"<{match[1]}>"), argument)
        if key == "Fn::Join":
            separator, parts = argument
            return separator.join(str(resolve(part, pseudo)) for part in parts)
        if key == "Ref":
            return pseudo.get(argument, f"<{argument}>")
        if key == "Fn::GetAtt":
            return f"<{'.'.join(argument)}>"
    return {key: resolve(item, pseudo) for key, item in value.items()}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True)
class Role:
    logical_id: str
    name: str
    trust: dict[str, Any]
    policies: dict[str, dict[str, Any]]
    managed_policy_arns: tuple[str, ...]

    @property
    def statements(self) -> list[dict[str, Any]]:
        return [
            statement for document in self.policies.values() for statement in as_list(document["Statement"])
        ]


@dataclass(frozen=True)
class AccountTemplate:
    """A resolved account template: every resource, and the roles by name."""

    path: Path
    resources: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, folder: Path, pseudo: dict[str, str] | None = None) -> AccountTemplate:
        """Every template in `folder` (what `account synth --out` wrote) as one: the account's resources."""
        resources: dict[str, dict[str, Any]] = {}
        for path in find_templates(folder):
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as error:
                raise TemplateError(f"{path} is not JSON: {error}") from None
            if not isinstance(raw, dict) or not isinstance(raw.get("Resources"), dict):
                raise TemplateError(f"{path} is not a CloudFormation template (no Resources)")
            resources.update(resolve(raw["Resources"], {**PLACEHOLDERS, **(pseudo or {})}))
        return cls(folder, resources)

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource.get("Properties", {})
            for logical_id, resource in self.resources.items()
            if resource.get("Type") == resource_type
        }

    @property
    def roles(self) -> list[Role]:
        return [
            Role(
                logical_id,
                str(properties.get("RoleName", logical_id)),
                properties.get("AssumeRolePolicyDocument", {}),
                {policy["PolicyName"]: policy["PolicyDocument"] for policy in properties.get("Policies", [])},
                tuple(map(str, properties.get("ManagedPolicyArns", []))),
            )
            for logical_id, properties in self.of_type("AWS::IAM::Role").items()
        ]

    def bucket_policies(self, bucket_logical_id: str) -> list[dict[str, Any]]:
        """The statements of every bucket policy attached to the bucket (by `Ref`)."""
        return [
            statement
            for properties in self.of_type("AWS::S3::BucketPolicy").values()
            if properties.get("Bucket") == f"<{bucket_logical_id}>"
            for statement in as_list(properties.get("PolicyDocument", {}).get("Statement", []))
        ]


def find_templates(folder: Path) -> list[Path]:
    """The account's templates in `folder` (what `account synth --out` wrote), or `folder` if a file."""
    if folder.is_file():
        return [folder]
    found = sorted(folder.glob("*.template.json"))
    if not found:
        raise TemplateError(
            f"{folder} holds no *.template.json: run `careervp-ci account synth --out DIR` and point at DIR"
        )
    return found
