"""The account's stacks on the emulator: `account apply` then `account verify`, a GitHub-shaped token
assuming the dev role, the store's create-only ledger and bucket settings under that role's session, and
what the emulator cannot show reported "not verifiable" (held on the template by `account check` instead).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from careervp_ci.account.template import AccountTemplate
from careervp_ci.release.emulator import EMULATOR_CREDENTIALS
from careervp_ci.release.store import open_store
from support.account import REPOSITORY, synthesized
from support.release_artifacts import one_stack_artifact
from support.release_cli import Result, cli, write_emulator_targets

STORE_BUCKET = "careervp-artifacts-123456789012-us-east-1"


@pytest.fixture(scope="module")
def applied(emulator: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Result]]:
    """The account synthesized once and applied to the module's emulator, dev bound to it."""
    folder = tmp_path_factory.mktemp("account")
    targets = write_emulator_targets(folder / "targets.toml", emulator, ("dev",))
    saved = os.environ.get("CAREERVP_TARGETS")
    os.environ["CAREERVP_TARGETS"] = str(targets)
    try:
        assembly = synthesized(folder / "assembly")
        yield assembly, account("apply", assembly)
    finally:
        if saved is None:
            os.environ.pop("CAREERVP_TARGETS", None)
        else:
            os.environ["CAREERVP_TARGETS"] = saved


def account(action: str, assembly: Path) -> Result:
    return cli("account", action, "--target", "dev", "--assembly", str(assembly), "--repository", REPOSITORY)


def github_token(environment: str) -> str:
    """A token shaped like GitHub Actions' (unsigned: the emulator does not check signatures or claims)."""
    claims = {
        "iss": "https://token.actions.githubusercontent.com",
        "aud": "sts.amazonaws.com",
        "sub": f"repo:{REPOSITORY}:environment:{environment}",
        "repository": REPOSITORY,
        "environment": environment,
    }
    parts = [{"alg": "RS256", "typ": "JWT", "kid": "test"}, claims]
    encoded = [base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode() for part in parts]
    return ".".join([*encoded, "c2lnbmF0dXJl"])


def client(service: str, endpoint: str, credentials: dict[str, str] | None = None) -> Any:
    keys = credentials or {
        "aws_access_key_id": EMULATOR_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": EMULATOR_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }
    session = boto3.session.Session(
        region_name="us-east-1",
        aws_access_key_id=keys["aws_access_key_id"],
        aws_secret_access_key=keys["aws_secret_access_key"],
        aws_session_token=keys.get("aws_session_token"),
    )
    return session.client(service, endpoint_url=endpoint)  # type: ignore[call-overload]


def dev_session(emulator: str, role_arn: str) -> dict[str, str]:
    answer = client("sts", emulator).assume_role_with_web_identity(
        RoleArn=role_arn, RoleSessionName="github-dev", WebIdentityToken=github_token("dev")
    )
    assert answer["AssumedRoleUser"]["Arn"].endswith(":assumed-role/careervp-dev-github-deploy/github-dev")
    keys = answer["Credentials"]
    return {
        "aws_access_key_id": keys["AccessKeyId"],
        "aws_secret_access_key": keys["SecretAccessKey"],
        "aws_session_token": keys["SessionToken"],
    }


def outputs(result: Result) -> dict[str, str]:
    return dict(line.split(" = ", 1) for line in result.out.splitlines() if " = " in line)


def test_apply_prints_each_role_under_its_secret_and_the_store(applied: tuple[Path, Result]) -> None:
    _, result = applied
    assert result.code == 0, result.err
    found = outputs(result)
    assert found["AWS_ROLE_DEV"] == "arn:aws:iam::123456789012:role/careervp-dev-github-deploy"
    assert found["AWS_ROLE_PROD_READONLY"] == "arn:aws:iam::123456789012:role/careervp-prod-github-readonly"
    assert found["AWS_ROLE_GAP_SANDBOX"].endswith(":role/careervp-gap-remediation-github-deploy")
    assert found["ArtifactStoreUri"] == f"s3://{STORE_BUCKET}"


def test_verify_matches_the_live_account_and_names_what_the_emulator_cannot_show(
    applied: tuple[Path, Result],
) -> None:
    assembly, _ = applied
    result = account("verify", assembly)
    assert result.code == 0, result.out + result.err
    lines = result.out.splitlines()
    assert "verified: careervp-dev-github-deploy trust: as the template" in lines
    assert "verified: careervp-prod-github-readonly policy release: as the template" in lines
    assert f"verified: {STORE_BUCKET} encryption: ['AES256']" in lines
    assert not [line for line in lines if line.startswith("mismatch")]
    blind = [line for line in lines if line.startswith("not verifiable")]
    assert any(line.startswith(f"not verifiable: {STORE_BUCKET} object lock: moto's") for line in blind)
    assert any(line.startswith("not verifiable: trust conditions: no emulator evaluates") for line in blind)
    assert any(line.startswith("not verifiable: policy evaluation: ") for line in blind)


def test_verify_finds_a_role_changed_by_hand(applied: tuple[Path, Result], emulator: str) -> None:
    assembly, _ = applied
    iam = client("iam", emulator)
    template = AccountTemplate.load(assembly, {"AWS::AccountId": "123456789012"})
    original = next(role for role in template.roles if role.name == "careervp-staging-github-deploy")
    widened = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    iam.put_role_policy(
        RoleName="careervp-staging-github-deploy", PolicyName="release", PolicyDocument=json.dumps(widened)
    )
    try:
        result = account("verify", assembly)
    finally:
        iam.put_role_policy(
            RoleName=original.name,
            PolicyName="release",
            PolicyDocument=json.dumps(original.policies["release"]),
        )
    assert result.code == 1
    assert "mismatch: careervp-staging-github-deploy policy release: differs from the template" in result.out


def test_the_dev_role_session_appends_its_ledger_create_only_in_an_encrypted_store(
    applied: tuple[Path, Result], emulator: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, result = applied
    session = dev_session(emulator, outputs(result)["AWS_ROLE_DEV"])
    for name, value in session.items():
        monkeypatch.setenv(name.upper(), value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    store = open_store(f"s3://{STORE_BUCKET}", tmp_path)
    assert store.backend.create("ledger/dev/00000001.json", b"{}") is True
    assert store.backend.create("ledger/dev/00000001.json", b"{changed}") is False
    assert store.backend.read("ledger/dev/00000001.json") == b"{}"
    encryption = client("s3", emulator, session).get_bucket_encryption(Bucket=STORE_BUCKET)
    rules = encryption["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_a_release_deploy_has_cloudformation_act_as_the_execution_role_the_account_made(
    applied: tuple[Path, Result], emulator: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """create_stack names the role (describe_stacks' RoleARN). Whether the dev role may pass it and
    CloudFormation may assume it is not verifiable on moto: policies.py holds that on the template."""
    state, work = tmp_path / "state", tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("CAREERVP_STATE_DIR", str(state))
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "test-webhook-secret-account_" + "0" * 24)
    stack_name = "careervp-dev-service-stack"
    ssm = {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Name": "/dev/p", "Value": "v"}}
    digest = one_stack_artifact(state / "artifacts", stack_name, {"Param": ssm}, work)

    result = cli("deploy", "--env", "dev", "--artifact", digest)

    assert "the SPA of" in result.err, result.err  # a one-stack artifact has no SPA: it stops after the stack
    stack = client("cloudformation", emulator).describe_stacks(StackName=stack_name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    role = client("iam", emulator).get_role(RoleName="careervp-dev-cloudformation-exec")["Role"]
    assert (
        stack["RoleARN"] == role["Arn"] == "arn:aws:iam::123456789012:role/careervp-dev-cloudformation-exec"
    )


def test_apply_refuses_an_emulator_it_would_start_and_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAREERVP_TARGETS", raising=False)
    result = cli("account", "apply", "--target", "local", "--repository", REPOSITORY)
    assert result.code == 2
    assert "local is an emulator this command would start and stop" in result.err
