"""moto 5.2.5 executes a change set in template order: a REST API deployment listed before the method it
`DependsOn` fails ("The REST API doesn't contain any methods"), and the stack keeps no outputs or tags.
`moto_change_sets` fixes that; these tests run a real moto server with and without the fix."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.parsers import ResponseParserError
from careervp_ci.release import moto_change_sets
from careervp_ci.release.emulator import EMULATOR_CREDENTIALS, prepare_emulator
from moto import mock_aws
from moto.cloudformation.models import ChangeSet
from moto.cloudformation.parsing import ResourceMap
from support.moto_server import clean_moto_server

TEMPLATE = {
    "Resources": {
        # First in the template, as CDK writes it, but created only after the method it depends on.
        "Deployment": {
            "Type": "AWS::ApiGateway::Deployment",
            "Properties": {"RestApiId": {"Ref": "Api"}},
            "DependsOn": ["Method"],
        },
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "change-set-order"}},
        "Method": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                "HttpMethod": "GET",
                "AuthorizationType": "NONE",
                "Integration": {"Type": "HTTP", "IntegrationHttpMethod": "GET", "Uri": "https://example.com"},
            },
        },
    },
    "Outputs": {"ApiId": {"Value": {"Ref": "Api"}}},
}


@pytest.fixture
def cloudformation() -> Iterator[Any]:
    prepare_emulator()
    with clean_moto_server() as endpoint:
        yield boto3.client(
            "cloudformation",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=EMULATOR_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=EMULATOR_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )


def execute(cfn: Any, name: str) -> dict[str, Any]:
    arn = cfn.create_change_set(
        StackName=name,
        ChangeSetName=f"{name}-review",
        ChangeSetType="CREATE",
        TemplateBody=json.dumps(TEMPLATE),
        Tags=[{"Key": "careervp:digest", "Value": "sha256:" + "a" * 64}],
    )["Id"]
    cfn.execute_change_set(ChangeSetName=arn)
    stack: dict[str, Any] = cfn.describe_stacks(StackName=name)["Stacks"][0]
    status = cfn.describe_change_set(ChangeSetName=arn)["ExecutionStatus"]
    return {**stack, "ChangeSetExecutionStatus": status}


def test_moto_without_the_fix_creates_the_deployment_before_its_method(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In-process (the same moto backends): over HTTP moto's server turns this fault into a bare 500, and
    only here does its message reach the caller."""
    monkeypatch.setattr(ResourceMap, "build_resource_diff", moto_change_sets.UPSTREAM_DIFF)
    monkeypatch.setattr(ChangeSet, "apply", moto_change_sets.UPSTREAM_APPLY)
    with mock_aws(), pytest.raises(ResponseParserError, match=r"The REST API doesn\\+'t contain any methods"):
        execute(boto3.client("cloudformation", region_name="us-east-1"), "unfixed")


def test_the_fixed_emulator_executes_the_change_set_with_outputs_and_tags(cloudformation: Any) -> None:
    stack = execute(cloudformation, "fixed")
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["ChangeSetExecutionStatus"] == "EXECUTE_COMPLETE"
    assert [output["OutputKey"] for output in stack["Outputs"]] == ["ApiId"]
    assert stack["Tags"] == [{"Key": "careervp:digest", "Value": "sha256:" + "a" * 64}]


def test_added_resources_follow_their_depends_on_and_keep_template_order_otherwise() -> None:
    resources = {"C": {"DependsOn": "A"}, "B": {}, "A": {"DependsOn": ["B"]}, "D": {}}
    assert moto_change_sets.in_dependency_order(["C", "B", "A", "D"], resources) == ["B", "A", "C", "D"]


EXECUTION_ROLE = "arn:aws:iam::123456789012:role/careervp-dev-cloudformation-exec"
TOPIC = {"Type": "AWS::SNS::Topic"}


def update_as(cfn: Any, name: str, role: str) -> str | None:
    """Create `name` with no role, execute an UPDATE change set made with `role`; the stack's role after."""
    cfn.create_stack(StackName=name, TemplateBody=json.dumps({"Resources": {"T": TOPIC}}))
    arn = cfn.create_change_set(
        StackName=name,
        ChangeSetName=f"{name}-update",
        ChangeSetType="UPDATE",
        TemplateBody=json.dumps({"Resources": {"T": TOPIC, "U": TOPIC}}),
        RoleARN=role,
    )["Id"]
    cfn.execute_change_set(ChangeSetName=arn)
    found: str | None = cfn.describe_stacks(StackName=name)["Stacks"][0].get("RoleARN")
    return found


def test_an_executed_update_change_set_gives_the_stack_its_role(cloudformation: Any) -> None:
    assert update_as(cloudformation, "role-given", EXECUTION_ROLE) == EXECUTION_ROLE


def test_the_unfixed_emulator_drops_an_update_change_sets_role(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ChangeSet, "apply", moto_change_sets.UPSTREAM_APPLY)
    with mock_aws():
        cfn = boto3.client("cloudformation", region_name="us-east-1")
        assert update_as(cfn, "role-dropped", EXECUTION_ROLE) is None
