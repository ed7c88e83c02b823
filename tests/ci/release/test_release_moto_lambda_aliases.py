"""moto 5.2.5's CloudFormation skips `AWS::Lambda::Alias` and answers no `Ref` for an `AWS::Lambda::Version`,
so a stack whose API invokes an alias (staging's and prod's: `careervp_infra.traffic`) fails at the alias's
permission. `moto_lambda_aliases` fixes that; these tests run moto in-process with and without the fix."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from careervp_ci.release import moto_lambda_aliases
from careervp_ci.release.emulator import prepare_emulator
from moto import mock_aws
from moto.awslambda.models import LambdaVersion
from moto.cloudformation import parsing

ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    },
}


def template(version_id: str = "VersionA", description: str = "a") -> dict[str, Any]:
    """A function, one published version (a new logical id per change, as CDK's `current_version`), the
    `live` alias on it and API Gateway's permission to invoke the alias: what `careervp_infra.traffic`
    declares per function."""
    return {
        "Resources": {
            "Role": ROLE,
            "Function": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "FunctionName": "careervp-prod-health-api",
                    "Runtime": "python3.13",
                    "Handler": "index.handler",
                    "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Code": {"ZipFile": "def handler(event, context):\n    return {}\n"},
                    "Description": description,
                },
            },
            version_id: {
                "Type": "AWS::Lambda::Version",
                "Properties": {"FunctionName": {"Ref": "Function"}},
                "DeletionPolicy": "Retain",
            },
            "Alias": {
                "Type": "AWS::Lambda::Alias",
                "Properties": {
                    "FunctionName": {"Ref": "Function"},
                    "FunctionVersion": {"Fn::GetAtt": [version_id, "Version"]},
                    "Name": "live",
                },
            },
            "Permission": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "Action": "lambda:InvokeFunction",
                    "FunctionName": {"Ref": "Alias"},
                    "Principal": "apigateway.amazonaws.com",
                },
            },
        },
        "Outputs": {"Alias": {"Value": {"Ref": "Alias"}}, "Version": {"Value": {"Ref": version_id}}},
    }


@pytest.fixture
def aws() -> Iterator[tuple[Any, Any]]:
    with mock_aws():
        yield (
            boto3.client("cloudformation", region_name="us-east-1"),
            boto3.client("lambda", region_name="us-east-1"),
        )


def outputs(cfn: Any) -> dict[str, str]:
    stack = cfn.describe_stacks(StackName="aliases")["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def test_moto_without_the_fix_fails_at_the_alias_permission(
    monkeypatch: pytest.MonkeyPatch, aws: tuple[Any, Any]
) -> None:
    for member in moto_lambda_aliases.PATCHED_VERSION_MEMBERS:
        if member in vars(LambdaVersion):
            monkeypatch.delattr(LambdaVersion, member)
    monkeypatch.setattr(
        LambdaVersion, "create_from_cloudformation_json", moto_lambda_aliases.UPSTREAM_CREATE_VERSION
    )
    upstream = {
        kind: model
        for kind, model in parsing.get_model_map().items()
        if model is not moto_lambda_aliases.LambdaAliasModel
    }
    monkeypatch.setattr(parsing, "get_model_map", lambda: upstream)
    cfn, _ = aws
    # The permission's `FunctionName` is the alias's `Ref`: None, so moto drops it and fails on the key.
    with pytest.raises(Exception, match="FunctionName"):
        cfn.create_stack(StackName="aliases", TemplateBody=json.dumps(template()))


def test_the_fix_creates_the_alias_on_the_published_version_and_its_permission(aws: tuple[Any, Any]) -> None:
    prepare_emulator()
    cfn, lambda_client = aws
    cfn.create_stack(StackName="aliases", TemplateBody=json.dumps(template()))
    first = outputs(cfn)
    alias = lambda_client.get_alias(FunctionName="careervp-prod-health-api", Name="live")
    assert first["Alias"] == alias["AliasArn"] and alias["AliasArn"].endswith(
        ":careervp-prod-health-api:live"
    )
    assert first["Version"].endswith(f":{alias['FunctionVersion']}")
    policy = json.loads(lambda_client.get_policy(FunctionName=first["Alias"])["Policy"])
    assert policy["Statement"][0]["Principal"] == {"Service": "apigateway.amazonaws.com"}


def test_an_update_that_publishes_a_new_version_completes_with_the_alias_on_a_published_version(
    aws: tuple[Any, Any],
) -> None:
    """moto adds resources before it modifies them, so the new version is published from the function as it
    was; which code the alias serves after an update is therefore not verifiable on the emulator (where no
    function runs anyway: the smoke serves the handlers locally)."""
    prepare_emulator()
    cfn, lambda_client = aws
    cfn.create_stack(StackName="aliases", TemplateBody=json.dumps(template()))
    cfn.update_stack(StackName="aliases", TemplateBody=json.dumps(template("VersionB", "b")))
    stack = cfn.describe_stacks(StackName="aliases")["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    alias = lambda_client.get_alias(FunctionName="careervp-prod-health-api", Name="live")
    published = lambda_client.list_versions_by_function(FunctionName="careervp-prod-health-api")["Versions"]
    assert alias["FunctionVersion"] in {version["Version"] for version in published} - {"$LATEST"}
    assert outputs(cfn)["Version"].endswith(f":{alias['FunctionVersion']}")
