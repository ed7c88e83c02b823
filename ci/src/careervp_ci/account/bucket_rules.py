"""The account stack's bucket rules, on the resolved template: every bucket encrypted, public access
blocked and TLS-only; the store and asset buckets versioned with a lifecycle; the store's objects under
Object Lock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from careervp_ci.account.iam_rules import Finding
from careervp_ci.account.template import AccountTemplate, as_list

BLOCK_ALL = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")


def check_buckets(template: AccountTemplate) -> list[Finding]:
    findings: list[Finding] = []
    buckets = template.of_type("AWS::S3::Bucket")
    if not any(_is_store(properties) for properties in buckets.values()):
        findings.append(Finding("bucket", "artifact store", "the template declares no artifact store bucket"))
    for logical_id, properties in buckets.items():
        name = str(properties.get("BucketName", logical_id))
        findings.extend(
            Finding("bucket", name, problem) for problem in _problems(template, logical_id, properties)
        )
    return findings


def _is_store(properties: dict[str, Any]) -> bool:
    name = str(properties.get("BucketName", ""))
    return name.startswith("careervp-artifacts-") and "-logs-" not in name


def _problems(template: AccountTemplate, logical_id: str, properties: dict[str, Any]) -> Iterator[str]:
    if not properties.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration"):
        yield "is not encrypted: declare BucketEncryption"
    block = properties.get("PublicAccessBlockConfiguration", {})
    open_settings = [setting for setting in BLOCK_ALL if block.get(setting) is not True]
    if open_settings:
        yield f"does not block public access ({', '.join(open_settings)} not true)"
    if not any(denies_plain_http(statement) for statement in template.bucket_policies(logical_id)):
        yield "accepts requests without TLS: its bucket policy must deny aws:SecureTransport = false"
    if "-logs-" in str(properties.get("BucketName", "")):
        return
    if properties.get("VersioningConfiguration", {}).get("Status") != "Enabled":
        yield "is not versioned"
    if not properties.get("LifecycleConfiguration", {}).get("Rules"):
        yield "has no lifecycle rules for old objects"
    if _is_store(properties):
        lock = properties.get("ObjectLockConfiguration", {})
        if properties.get("ObjectLockEnabled") is not True or not lock.get("Rule", {}).get(
            "DefaultRetention"
        ):
            yield "does not protect the ledger: enable Object Lock with a default retention"


def denies_plain_http(statement: dict[str, Any]) -> bool:
    condition = statement.get("Condition", {}).get("Bool", {})
    return (
        statement.get("Effect") == "Deny"
        and "s3:*" in as_list(statement.get("Action", []))
        and str(condition.get("aws:SecureTransport")).lower() == "false"
    )
