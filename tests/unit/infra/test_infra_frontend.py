"""The SPA's hosting: a private bucket only its CloudFront distribution reads (OAC), named by the rules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stage
from aws_cdk import Environment as CdkEnvironment
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template
from careervp.resources import CANARY_FUNCTION, ENV_VAR_CORS_ALLOWED_ORIGIN, FUNCTIONS, NOTIFIER_FUNCTION
from careervp_infra.assembly import FEATURE_FLAGS
from careervp_infra.cloud_assembly import find_stack
from careervp_infra.environments import load_environments
from careervp_infra.frontend_names import BUCKET_OUTPUT, DISTRIBUTION_OUTPUT
from careervp_infra.functions import function_name
from careervp_infra.service_stack import ServiceStack
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


def test_the_deploy_finds_the_bucket_and_distribution_in_the_outputs(assembly: Path) -> None:
    outputs = find_stack(assembly, f"careervp-{ENVIRONMENTS[0]}-service-stack").load()["Outputs"]
    assert set(outputs[BUCKET_OUTPUT]["Value"]) == {"Ref"}
    assert set(outputs[DISTRIBUTION_OUTPUT]["Value"]) == {"Ref"}


def allowed_origins(document: Mapping[str, Any], env: str) -> dict[str, object]:
    """What each API function allows in CORS (by function name), and what the API's own 401 names (under
    "401"; API Gateway's mapping syntax quotes it)."""
    names = {function_name(load_environments().get(env), spec) for spec in FUNCTIONS}
    resources = document["Resources"].values()
    allowed: dict[str, object] = {
        resource["Properties"]["FunctionName"]: resource["Properties"]["Environment"]["Variables"].get(
            ENV_VAR_CORS_ALLOWED_ORIGIN
        )
        for resource in resources
        if resource["Type"] == "AWS::Lambda::Function" and resource["Properties"]["FunctionName"] in names
    }
    assert set(allowed) == names
    [response] = [r["Properties"] for r in resources if r["Type"] == "AWS::ApiGateway::GatewayResponse"]
    assert response["ResponseType"] == "UNAUTHORIZED"
    allowed["401"] = response["ResponseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"]
    return allowed


@pytest.mark.parametrize("env", [env.name for env in load_environments().stacks if not env.spa_origin])
def test_the_api_allows_the_origin_of_its_own_distribution_where_none_is_declared(
    assembly: Path, env: str
) -> None:
    distribution_id, _ = one(assembly, env, "AWS::CloudFront::Distribution")
    domain = {"Fn::GetAtt": [distribution_id, "DomainName"]}
    allowed = allowed_origins(find_stack(assembly, f"careervp-{env}-service-stack").load(), env)

    assert allowed.pop("401") == {"Fn::Join": ["", ["'https://", domain, "'"]]}
    assert set(map(json.dumps, allowed.values())) == {json.dumps({"Fn::Join": ["", ["https://", domain]]})}


def test_a_declared_spa_origin_is_the_one_the_api_allows(tmp_path: Path) -> None:
    declared = "https://app.example.com"
    env = load_environments().stacks[0].model_copy(update={"spa_origin": declared})
    app = App(outdir=str(tmp_path), analytics_reporting=False, context=FEATURE_FLAGS)
    stage = Stage(app, env.name, env=CdkEnvironment(region=env.region))
    stack = ServiceStack(stage, env, lambda_.Code.from_inline("pass"), None)
    allowed = allowed_origins(Template.from_stack(stack).to_json(), env.name)

    assert allowed.pop("401") == f"'{declared}'"
    assert set(allowed.values()) == {declared}


def test_the_canary_notifier_and_hook_allow_no_origin_as_they_answer_no_browser(assembly: Path) -> None:
    env = load_environments().stacks[0]
    functions = service_resources(assembly, env.name, "AWS::Lambda::Function").values()
    others = {function_name(env, spec) for spec in (CANARY_FUNCTION, NOTIFIER_FUNCTION)}
    found = [f["Environment"]["Variables"] for f in functions if f["FunctionName"] in others]
    assert len(found) == len(others)
    assert all(ENV_VAR_CORS_ALLOWED_ORIGIN not in variables for variables in found)


def test_every_cloudfront_exception_to_cdk_nag_is_one_of_the_four_justified(assembly: Path) -> None:
    acknowledged = acknowledged_rules(assembly)
    cloudfront = {rule for rule in acknowledged if rule.startswith("AwsSolutions-CFR")}
    assert cloudfront <= {"AwsSolutions-CFR1", "AwsSolutions-CFR2", "AwsSolutions-CFR3", "AwsSolutions-CFR4"}
