"""The SPA's hosting: a private bucket only its CloudFront distribution reads (OAC), named by the rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from careervp_infra.cloud_assembly import find_stack
from careervp_infra.environments import load_environments
from careervp_infra.frontend_names import BUCKET_OUTPUT, DISTRIBUTION_OUTPUT
from support.synth import acknowledged_rules, service_resources

ENVIRONMENTS = load_environments().stack_names


def one(assembly: Path, env: str, resource_type: str) -> tuple[str, dict[str, Any]]:
    [(logical_id, properties)] = service_resources(assembly, env, resource_type).items()
    return logical_id, properties


def site_bucket(assembly: Path, env: str) -> tuple[str, dict[str, Any]]:
    buckets = service_resources(assembly, env, "AWS::S3::Bucket")
    [(logical_id, bucket)] = [
        (k, v) for k, v in buckets.items() if v["BucketName"].endswith("-frontend-site")
    ]
    return logical_id, bucket


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_site_bucket_is_private_encrypted_versioned_and_logged(assembly: Path, env: str) -> None:
    _, bucket = site_bucket(assembly, env)

    assert bucket["BucketName"] == f"careervp-{env}-frontend-site"
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    [rule] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["LoggingConfiguration"]["LogFilePrefix"] == "frontend-site/"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_only_the_distribution_may_read_the_bucket_and_only_over_tls(assembly: Path, env: str) -> None:
    bucket_id, _ = site_bucket(assembly, env)
    distribution_id, _ = one(assembly, env, "AWS::CloudFront::Distribution")
    policies = service_resources(assembly, env, "AWS::S3::BucketPolicy")
    [policy] = [p for p in policies.values() if p["Bucket"] == {"Ref": bucket_id}]
    statements = policy["PolicyDocument"]["Statement"]

    denies = [s for s in statements if s["Effect"] == "Deny"]
    assert [s["Condition"] for s in denies] == [{"Bool": {"aws:SecureTransport": "false"}}]
    [allow] = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"  # read only: no list, no write
    source = json.dumps(allow["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert f'"Ref": "{distribution_id}"' in source


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_distribution_reads_through_a_named_signed_oac_and_redirects_to_https(
    assembly: Path, env: str
) -> None:
    oac_id, oac = one(assembly, env, "AWS::CloudFront::OriginAccessControl")
    _, distribution = one(assembly, env, "AWS::CloudFront::Distribution")
    config = distribution["DistributionConfig"]

    assert oac["OriginAccessControlConfig"]["Name"] == f"careervp-{env}-frontend-site-oac"
    assert oac["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    assert config["Comment"] == f"careervp-{env}-frontend-cdn"
    [origin] = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    assert config["DefaultRootObject"] == "index.html"


def test_the_deploy_finds_the_bucket_and_distribution_in_the_outputs_without_reading_attributes(
    assembly: Path,
) -> None:
    document = find_stack(assembly, "careervp-dev-service-stack").load()
    outputs = document["Outputs"]
    assert set(outputs[BUCKET_OUTPUT]["Value"]) == {"Ref"}
    assert set(outputs[DISTRIBUTION_OUTPUT]["Value"]) == {"Ref"}
    distribution_ids = set(service_resources(assembly, "dev", "AWS::CloudFront::Distribution"))
    attribute_reads = [
        logical_id
        for logical_id, resource in document["Resources"].items()
        if logical_id not in distribution_ids
        and any(f'"Fn::GetAtt": ["{d}"' in json.dumps(resource) for d in distribution_ids)
    ]
    assert attribute_reads == []  # the emulator's CloudFormation cannot resolve them


def test_every_cloudfront_exception_to_cdk_nag_is_one_of_the_four_justified(assembly: Path) -> None:
    acknowledged = acknowledged_rules(assembly)
    cloudfront = {rule for rule in acknowledged if rule.startswith("AwsSolutions-CFR")}
    assert cloudfront <= {"AwsSolutions-CFR1", "AwsSolutions-CFR2", "AwsSolutions-CFR3", "AwsSolutions-CFR4"}
