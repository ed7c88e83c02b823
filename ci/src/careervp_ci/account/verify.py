"""`account verify`: the live account (roles, buckets, GitHub's provider) against the account template.

Each check says verified, a mismatch, or "not verifiable on this target" with the reason: moto's
CloudFormation creates no OIDC provider and ignores a bucket's versioning, public access block, lifecycle,
Object Lock and bucket policy (careervp_infra.verify.blind_spots lists the same for the service stack), and
no emulator evaluates a trust condition or a policy. Those are then held on the template by `account check`.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError
from careervp_infra.account.naming import GITHUB_AUDIENCE, GITHUB_OIDC_URL
from careervp_infra.verify.blind_spots import ignored_setting_reason, unobservable_reason

from careervp_ci.account.bucket_rules import BLOCK_ALL, denies_plain_http
from careervp_ci.account.template import AccountTemplate, as_list
from careervp_ci.release.cloudformation import AwsSession, describe

EMULATOR_BLIND: dict[str, str] = {
    "oidc provider": "moto's CloudFormation skips AWS::IAM::OIDCProvider (it creates no provider)",
    "lifecycle": "moto's CloudFormation ignores LifecycleConfiguration",
    "object lock": "moto's CloudFormation ignores ObjectLockEnabled and ObjectLockConfiguration",
    "trust conditions": "no emulator evaluates a trust policy's conditions: moto's "
    "AssumeRoleWithWebIdentity admits any token (held on the template by `account check`: trust)",
    "policy evaluation": "moto does not evaluate a policy's resources or conditions (held on the template "
    "by `account check`: isolation, ledger, read-only)",
}


@dataclass(frozen=True)
class Check:
    outcome: str  # "verified", "mismatch", "not verifiable"
    subject: str
    detail: str

    def render(self) -> str:
        return f"{self.outcome}: {self.subject}: {self.detail}"


def verify(template: AccountTemplate, stacks: list[str], session: AwsSession, emulator: bool) -> list[Check]:
    """Every check of the live account against `template` (resolved with the session's account)."""
    checks = []
    for name in stacks:
        stack = describe(session, name)
        if stack is None:
            return [Check("mismatch", name, "no such stack: run `careervp-ci account apply` first")]
        checks.append(Check("verified", name, stack["StackStatus"]))
    checks.extend(_roles(template, session))
    checks.extend(_buckets(template, session, emulator))
    checks.append(_provider(session, emulator))
    if emulator:
        checks.extend(
            Check("not verifiable", subject, EMULATOR_BLIND[subject])
            for subject in ("trust conditions", "policy evaluation")
        )
    return checks


def normalize(document: Any) -> Any:
    """A policy document compared by meaning: one-element lists as scalars, lists sorted, Sids kept."""
    if isinstance(document, str):
        return (
            normalize(_parse_document(document)) if document.lstrip().startswith(("{", "%7B")) else document
        )
    if isinstance(document, dict):
        return {key: normalize(value) for key, value in document.items()}
    if isinstance(document, list):
        items = [normalize(item) for item in document]
        if len(items) == 1:
            return items[0]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return document


def _parse_document(text: str) -> Any:
    """A policy document IAM returned as text: JSON, URL-encoded or not. moto 5.2.5 returns a CloudFormation
    role's inline policy as the Python repr of a dict (moto/iam/models.py:
    Role.create_from_cloudformation_json hands the dict to put_policy, which keeps str(dict)): read as a
    Python literal when JSON fails."""
    try:
        return json.loads(unquote(text))
    except json.JSONDecodeError:
        return ast.literal_eval(text)


def _roles(template: AccountTemplate, session: AwsSession) -> Iterator[Check]:
    iam: Any = session.client("iam")
    for role in template.roles:
        try:
            live = iam.get_role(RoleName=role.name)["Role"]
        except ClientError as error:
            yield Check("mismatch", role.name, f"not found ({error.response['Error']['Code']})")
            continue
        same_trust = normalize(live["AssumeRolePolicyDocument"]) == normalize(role.trust)
        yield Check(
            "verified" if same_trust else "mismatch",
            f"{role.name} trust",
            "as the template" if same_trust else f"live {live['AssumeRolePolicyDocument']}",
        )
        live_names = set(iam.list_role_policies(RoleName=role.name)["PolicyNames"])
        if live_names != set(role.policies):
            yield Check(
                "mismatch",
                f"{role.name} policies",
                f"live {sorted(live_names)}, template {sorted(role.policies)}",
            )
            continue
        for name, document in role.policies.items():
            live_document = iam.get_role_policy(RoleName=role.name, PolicyName=name)["PolicyDocument"]
            same = normalize(live_document) == normalize(document)
            yield Check(
                "verified" if same else "mismatch",
                f"{role.name} policy {name}",
                "as the template" if same else "differs from the template",
            )


def _buckets(template: AccountTemplate, session: AwsSession, emulator: bool) -> Iterator[Check]:
    s3: Any = session.client("s3")
    for properties in template.of_type("AWS::S3::Bucket").values():
        name = str(properties["BucketName"])
        yield _tls_only(s3, name, emulator)
        for setting, read, expected in _settings(properties):
            reason = _blind(setting) if emulator else None
            if reason:
                yield Check("not verifiable", f"{name} {setting}", reason)
                continue
            try:
                live = read(s3, name)
            except ClientError as error:
                live = f"none ({error.response['Error']['Code']})"
            ok = live == expected
            yield Check(
                "verified" if ok else "mismatch",
                f"{name} {setting}",
                str(expected) if ok else f"live {live}, template {expected}",
            )


Reader = Callable[[Any, str], Any]


def _settings(properties: dict[str, Any]) -> Iterator[tuple[str, Reader, Any]]:
    rules = properties.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
    algorithms = sorted(rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] for rule in rules)
    yield "encryption", _encryption, algorithms
    block = properties.get("PublicAccessBlockConfiguration", {})
    yield "public access block", _public_access, {setting: bool(block.get(setting)) for setting in BLOCK_ALL}
    if "VersioningConfiguration" in properties:
        yield "versioning", _versioning, properties["VersioningConfiguration"]["Status"]
    if "LifecycleConfiguration" in properties:
        yield (
            "lifecycle",
            _lifecycle,
            sorted(rule["Id"] for rule in properties["LifecycleConfiguration"]["Rules"]),
        )
    if properties.get("ObjectLockEnabled"):
        retention = properties["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
        yield "object lock", _object_lock, retention


def _tls_only(s3: Any, bucket: str, emulator: bool) -> Check:
    subject = f"{bucket} TLS-only policy"
    reason = unobservable_reason("AWS::S3::BucketPolicy") if emulator else None
    if reason:
        return Check("not verifiable", subject, reason)
    try:
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except ClientError as error:
        return Check("mismatch", subject, f"no bucket policy ({error.response['Error']['Code']})")
    ok = any(denies_plain_http(statement) for statement in as_list(policy.get("Statement", [])))
    return Check(
        "verified" if ok else "mismatch",
        subject,
        "denies aws:SecureTransport = false" if ok else "no TLS-only deny",
    )


def _blind(setting: str) -> str | None:
    return ignored_setting_reason("AWS::S3::Bucket", setting) or EMULATOR_BLIND.get(setting)


def _encryption(s3: Any, bucket: str) -> list[str]:
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    return sorted(rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for rule in rules)


def _public_access(s3: Any, bucket: str) -> dict[str, bool]:
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    return {setting: bool(block.get(setting)) for setting in BLOCK_ALL}


def _versioning(s3: Any, bucket: str) -> str:
    return str(s3.get_bucket_versioning(Bucket=bucket).get("Status", "Disabled"))


def _lifecycle(s3: Any, bucket: str) -> list[str]:
    return sorted(rule["ID"] for rule in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"])


def _object_lock(s3: Any, bucket: str) -> dict[str, Any]:
    rule = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"].get("Rule", {})
    return dict(rule.get("DefaultRetention", {}))


def _provider(session: AwsSession, emulator: bool) -> Check:
    iam: Any = session.client("iam")
    for entry in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=entry["Arn"])
        if provider["Url"].removeprefix("https://") == GITHUB_OIDC_URL.removeprefix("https://"):
            audiences = provider.get("ClientIDList", [])
            ok = GITHUB_AUDIENCE in audiences
            return Check("verified" if ok else "mismatch", GITHUB_OIDC_URL, f"audiences {audiences}")
    if emulator:
        return Check("not verifiable", GITHUB_OIDC_URL, EMULATOR_BLIND["oidc provider"])
    return Check("mismatch", GITHUB_OIDC_URL, "the account has no OIDC provider for GitHub Actions")
