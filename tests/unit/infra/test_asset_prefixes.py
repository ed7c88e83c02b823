"""Each environment's CDK assets live under its own prefix of the one asset bucket (`asset_prefix`), and its
roles reach that prefix only: asset keys are content hashes the release never overwrites, so a role that
could write any key (the gap sandbox runs feature-branch code) could plant the bytes prod then deploys."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from botocore.exceptions import ClientError
from careervp_ci.account.template import AccountTemplate, Role, as_list
from careervp_ci.release.cloudformation import (
    TEMPLATE_BODY_LIMIT,
    AwsSession,
    StackFiles,
    _previous_template_argument,
    publish_assets,
)
from careervp_infra.account.naming import asset_prefix, deployable
from careervp_infra.cloud_assembly import find_stack
from careervp_infra.environments import load_environments
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count
from support.account import synthesized

REGISTRY = load_environments()
STACKS = REGISTRY.stack_names
ASSET_BUCKET_ARN = "arn:aws:s3:::cdk-hnb659fds-assets-111122223333-us-east-1"
EMULATED_ACCOUNT = "123456789012"
FAKE_KEYS = {"AWS_ACCESS_KEY_ID": "test-key-id-not-real", "AWS_SECRET_ACCESS_KEY": "test-key-not-real"}
PLACEHOLDER_ACCOUNT = "111122223333"
"""The account the resolved account template names (careervp_ci.account.template.PLACEHOLDERS)."""
SETUP_CALLS = 4
"""Calls moto lets through before it evaluates IAM: the bucket, the role, its policy, the assume-role."""


@pytest.fixture(scope="module")
def roles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Role]:
    account = synthesized(tmp_path_factory.mktemp("account") / "assembly")
    return {role.name: role for role in AccountTemplate.load(account).roles}


def lambda_keys(template: dict[str, Any]) -> list[str]:
    return [
        resource["Properties"]["Code"]["S3Key"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Lambda::Function" and "S3Key" in resource["Properties"].get("Code", {})
    ]


def test_a_borrowed_stack_keeps_its_owners_prefix() -> None:
    assert asset_prefix(REGISTRY.get("local")) == "dev/" == asset_prefix(REGISTRY.get("dev"))
    assert asset_prefix(REGISTRY.get("gap-remediation")) == "gap-remediation/"


@pytest.mark.parametrize("env", STACKS)
def test_every_lambda_deploys_code_from_its_environments_prefix(assembly: Path, env: str) -> None:
    keys = lambda_keys(find_stack(assembly, f"careervp-{env}-service-stack").load())
    assert keys
    assert all(key.startswith(f"{env}/") and key.count("/") == 1 for key in keys), keys


@pytest.mark.parametrize("env", STACKS)
def test_the_asset_manifest_sends_every_file_under_the_prefix(assembly: Path, env: str) -> None:
    manifest = json.loads(StackFiles.find(assembly, f"careervp-{env}-service-stack").assets.read_text())
    keys = [
        destination["objectKey"]
        for asset in manifest["files"].values()
        for destination in asset["destinations"].values()
    ]
    assert {key.rsplit(".", 1)[-1] for key in keys} == {"zip", "json"}  # the code, the template
    assert all(key.startswith(f"{env}/") for key in keys), keys


def test_the_release_uploads_to_the_prefixed_keys_the_template_reads(assembly: Path) -> None:
    files = StackFiles.find(assembly, "careervp-staging-service-stack")
    bucket = f"cdk-hnb659fds-assets-{EMULATED_ACCOUNT}-us-east-1"
    with mock_aws():
        session = AwsSession(region="us-east-1", credentials=FAKE_KEYS, account=EMULATED_ACCOUNT)
        session.client("s3").create_bucket(Bucket=bucket)
        published = publish_assets(files, session, log=lambda _line: None)
        stored = [item["Key"] for item in session.client("s3").list_objects_v2(Bucket=bucket)["Contents"]]
    assert sorted(key for _bucket, key in published.values()) == sorted(stored)
    assert all(key.startswith("staging/") for key in stored), stored
    assert set(lambda_keys(files.template_dict())) <= set(stored)


def test_a_previous_template_restored_from_the_bucket_goes_under_the_assets_prefix() -> None:
    """A failed update's restore uploads a too-big previous template beside the assets: the deploy role
    may write nowhere else in the bucket (release/cloudformation.py `undo_update`)."""
    big = {"Description": "x" * TEMPLATE_BODY_LIMIT}
    bucket = f"cdk-hnb659fds-assets-{EMULATED_ACCOUNT}-us-east-1"
    published = {"code": (bucket, f"prod/{'0' * 64}.zip")}
    with mock_aws():
        session = AwsSession(region="us-east-1", credentials=FAKE_KEYS, account=EMULATED_ACCOUNT)
        session.client("s3").create_bucket(Bucket=bucket)
        argument = _previous_template_argument(session, "careervp-prod-service-stack", big, published)
        (stored,) = session.client("s3").list_objects_v2(Bucket=bucket)["Contents"]
    assert stored["Key"].startswith("prod/rollback/careervp-prod-service-stack-")
    assert argument == {"TemplateURL": f"https://s3.us-east-1.amazonaws.com/{bucket}/{stored['Key']}"}


def asset_statements(role: Role) -> list[dict[str, Any]]:
    return [
        statement
        for statement in role.statements
        if any(str(resource).startswith(ASSET_BUCKET_ARN) for resource in as_list(statement["Resource"]))
    ]


@pytest.mark.parametrize("env", [env.name for env in deployable(REGISTRY)])
def test_an_environments_roles_reach_only_its_prefix_of_the_asset_bucket(
    roles: dict[str, Role], env: str
) -> None:
    own = f"{ASSET_BUCKET_ARN}/{env}/*"
    for kind in ("github-deploy", "cloudformation-exec"):
        granted = asset_statements(roles[f"careervp-{env}-{kind}"])
        assert granted, kind
        assert all(as_list(statement["Resource"]) == [own] for statement in granted), granted
    (reading,) = asset_statements(roles[f"careervp-{env}-cloudformation-exec"])
    assert as_list(reading["Action"]) == ["s3:GetObject"]


def test_the_prod_plan_role_publishes_only_under_prod(roles: dict[str, Role]) -> None:
    (publishing,) = asset_statements(roles["careervp-prod-github-readonly"])
    assert as_list(publishing["Resource"]) == [f"{ASSET_BUCKET_ARN}/prod/*"]
    assert sorted(as_list(publishing["Action"])) == ["s3:GetObject", "s3:PutObject"]


@set_initial_no_auth_action_count(SETUP_CALLS)
def publish_as(role: Role, files: StackFiles) -> list[str]:
    """Run the release's `publish_assets` for `files` in a session of `role`, with moto evaluating the
    role's resolved policies (moto's own IAM evaluation: real AWS is the authority)."""
    with mock_aws():
        admin = AwsSession(region="us-east-1", credentials=FAKE_KEYS)
        admin.client("s3").create_bucket(Bucket=f"cdk-hnb659fds-assets-{PLACEHOLDER_ACCOUNT}-us-east-1")
        trust = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
        arn = admin.client("iam").create_role(RoleName=role.name, AssumeRolePolicyDocument=json.dumps(trust))
        policy = {"Version": "2012-10-17", "Statement": role.statements}
        admin.client("iam").put_role_policy(
            RoleName=role.name, PolicyName="release", PolicyDocument=json.dumps(policy)
        )
        keys = admin.client("sts").assume_role(RoleArn=arn["Role"]["Arn"], RoleSessionName="github")
        credentials = keys["Credentials"]
        as_github_job = {
            "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
            "AWS_SESSION_TOKEN": credentials["SessionToken"],
        }
        with patch.dict(os.environ, as_github_job):  # as configure-aws-credentials leaves them
            session = AwsSession(region="us-east-1", account=PLACEHOLDER_ACCOUNT)
            published = publish_assets(files, session, log=lambda _line: None)
        return [key for _bucket, key in published.values()]


def test_on_moto_the_sandbox_role_publishes_its_own_assets_but_cannot_plant_prods(
    assembly: Path, roles: dict[str, Role]
) -> None:
    sandbox = roles["careervp-gap-remediation-github-deploy"]
    own = publish_as(sandbox, StackFiles.find(assembly, "careervp-gap-remediation-service-stack"))
    assert own and all(key.startswith("gap-remediation/") for key in own)
    with pytest.raises(ClientError, match="AccessDenied"):
        publish_as(sandbox, StackFiles.find(assembly, "careervp-prod-service-stack"))
    prod = publish_as(
        roles["careervp-prod-github-deploy"], StackFiles.find(assembly, "careervp-prod-service-stack")
    )
    assert prod and all(key.startswith("prod/") for key in prod)
