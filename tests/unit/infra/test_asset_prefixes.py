"""Each environment's CDK assets live under its own prefix of the one asset bucket (`asset_prefix`), and its
roles reach that prefix only: asset keys are content hashes the release never overwrites, so a role that
could write any key (the gap sandbox runs feature-branch code) could plant the bytes prod then deploys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from careervp_ci.account.template import AccountTemplate, Role, as_list
from careervp_ci.release.cloudformation import AwsSession, StackFiles, publish_assets
from careervp_infra.account.naming import asset_prefix, deployable
from careervp_infra.cloud_assembly import find_stack
from careervp_infra.environments import load_environments
from moto import mock_aws
from support.account import synthesized

REGISTRY = load_environments()
STACKS = REGISTRY.stack_names
ASSET_BUCKET_ARN = "arn:aws:s3:::cdk-hnb659fds-assets-111122223333-us-east-1"
EMULATED_ACCOUNT = "123456789012"


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
    fake = {"AWS_ACCESS_KEY_ID": "test-key-id-not-real", "AWS_SECRET_ACCESS_KEY": "test-key-not-real"}
    with mock_aws():
        session = AwsSession(region="us-east-1", credentials=fake, account=EMULATED_ACCOUNT)
        session.client("s3").create_bucket(Bucket=bucket)
        published = publish_assets(files, session, log=lambda _line: None)
        stored = [item["Key"] for item in session.client("s3").list_objects_v2(Bucket=bucket)["Contents"]]
    assert sorted(key for _bucket, key in published.values()) == sorted(stored)
    assert all(key.startswith("staging/") for key in stored), stored
    assert set(lambda_keys(files.template_dict())) <= set(stored)


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
