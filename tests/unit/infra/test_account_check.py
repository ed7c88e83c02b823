"""`careervp-ci account check`: the synthesized account passes every rule, and each planted weakness (a
trust admitting any repository, a role granted `*`, an unencrypted bucket, a read-only role that writes,
a sandbox role reaching prod, a role reaching another environment's CDK assets, a ledger write that can
overwrite) fails it, named."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.account import REPOSITORY, planted_copy, resource, synthesized, template_with
from support.release_cli import cli

Plant = Callable[[dict[str, Any]], None]
STORE = "arn:${AWS::Partition}:s3:::careervp-artifacts-${AWS::AccountId}-${AWS::Region}"
ASSETS = "arn:${AWS::Partition}:s3:::cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"
RESOLVED_ASSETS = "arn:aws:s3:::cdk-hnb659fds-assets-111122223333-us-east-1"
PROD_TABLES = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/careervp-prod-*"


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesized(tmp_path_factory.mktemp("account") / "assembly")


def check(folder: Path, repository: str = REPOSITORY) -> tuple[int, str]:
    result = cli("account", "check", "--assembly", str(folder), "--repository", repository)
    return result.code, result.out + result.err


def plant(account: Path, tmp_path: Path, logical_id: str, change: Plant) -> Path:
    folder = planted_copy(account, tmp_path / "planted")
    path, template = template_with(folder, logical_id)
    change(resource(template, logical_id))
    path.write_text(json.dumps(template, indent=1), encoding="utf-8")
    return folder


def statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    return found


def test_the_synthesized_account_has_no_finding(account: Path) -> None:
    code, output = check(account)
    assert code == 0, output
    assert "find nothing" in output


def test_a_trust_admitting_any_repository_fails_naming_the_role(account: Path, tmp_path: Path) -> None:
    def any_repository(role: dict[str, Any]) -> None:
        trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
        trust["Condition"] = {
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"},
        }

    code, output = check(plant(account, tmp_path, "CareervpDevGithubDeploy", any_repository))
    assert code == 1
    assert "trust: careervp-dev-github-deploy: StringLike loosens the trust" in output
    assert "trust: careervp-dev-github-deploy: admits sub None; it must be exactly " in output
    assert "'repo:acme/careervp:environment:dev'" in output


def test_a_role_granted_star_fails_naming_the_role_and_statement(account: Path, tmp_path: Path) -> None:
    def star(role: dict[str, Any]) -> None:
        statements(role).append({"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"})

    code, output = check(plant(account, tmp_path, "CareervpStagingGithubDeploy", star))
    assert code == 1
    assert "wildcard-action: careervp-staging-github-deploy Everything: grants *" in output


def test_an_unencrypted_bucket_fails_naming_it(account: Path, tmp_path: Path) -> None:
    def unencrypted(bucket: dict[str, Any]) -> None:
        del bucket["Properties"]["BucketEncryption"]

    code, output = check(plant(account, tmp_path, "ArtifactStore8", unencrypted))
    assert code == 1
    assert "bucket: careervp-artifacts-111122223333-us-east-1: is not encrypted" in output


def test_a_read_only_role_that_writes_fails(account: Path, tmp_path: Path) -> None:
    def writes(role: dict[str, Any]) -> None:
        statements(role)[0]["Action"].append("cloudformation:UpdateStack")

    code, output = check(plant(account, tmp_path, "CareervpProdGithubReadonly", writes))
    assert code == 1
    assert "read-only: careervp-prod-github-readonly ReadOwnStack: a read-only role is granted " in output
    assert "cloudformation:UpdateStack" in output


def plan(role: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(
        statement for statement in statements(role) if statement["Sid"] == "PlanOwnStackAsItsExecutionRole"
    )
    return found


@pytest.mark.parametrize(
    ("change", "granted"),
    [
        (lambda role: plan(role).pop("Condition"), "cloudformation:CreateChangeSet"),
        (lambda role: plan(role).update(Action="cloudformation:ExecuteChangeSet"), "ExecuteChangeSet"),
    ],
    ids=["change-set-as-any-role", "executes"],
)
def test_a_plan_role_that_may_act_as_another_role_or_execute_fails(
    account: Path, tmp_path: Path, change: Plant, granted: str
) -> None:
    code, output = check(plant(account, tmp_path, "CareervpProdGithubReadonly", change))
    assert code == 1
    assert (
        "read-only: careervp-prod-github-readonly PlanOwnStackAsItsExecutionRole: a read-only role is "
        in output
    )
    assert granted in output


def test_a_sandbox_role_reaching_prod_fails(account: Path, tmp_path: Path) -> None:
    def reaches_prod(role: dict[str, Any]) -> None:
        statements(role).append(
            {
                "Sid": "Prod",
                "Effect": "Allow",
                "Action": "dynamodb:PutItem",
                "Resource": {"Fn::Sub": PROD_TABLES},
            }
        )

    code, output = check(plant(account, tmp_path, "CareervpGapRemediationGithubDeploy", reaches_prod))
    assert code == 1
    assert "isolation: careervp-gap-remediation-github-deploy Prod: " in output
    assert "reaches prod's arn:aws:dynamodb:us-east-1:111122223333:table/careervp-prod-x" in output


def test_a_deploy_role_writing_another_environments_store_prefix_fails(account: Path, tmp_path: Path) -> None:
    def writes_prod_approvals(role: dict[str, Any]) -> None:
        for statement in statements(role):
            if statement["Sid"] == "WriteOwnStorePrefixes":
                statement["Resource"].append({"Fn::Sub": f"{STORE}/approvals/*"})

    code, output = check(
        plant(account, tmp_path, "CareervpGapRemediationGithubDeploy", writes_prod_approvals)
    )
    assert code == 1
    assert "isolation: careervp-gap-remediation-github-deploy WriteOwnStorePrefixes: " in output
    assert (
        "reaches prod's arn:aws:s3:::careervp-artifacts-111122223333-us-east-1/approvals/prod/x.json"
        in output
    )


def rescope(sid: str, resource: str) -> Plant:
    def change(role: dict[str, Any]) -> None:
        for statement in statements(role):
            if statement["Sid"] == sid:
                statement["Resource"] = {"Fn::Sub": resource}

    return change


@pytest.mark.parametrize(
    ("logical_id", "change", "finding"),
    [
        (
            "CareervpGapRemediationGithubDeploy",
            rescope("PublishAssets", f"{ASSETS}/*"),
            f"careervp-gap-remediation-github-deploy PublishAssets: {RESOLVED_ASSETS}/* reaches asset keys "
            "under dev/, prod/, staging/, (no prefix)",
        ),
        (
            "CareervpDevCloudformationExec",
            rescope("ReadAssets", f"{ASSETS}/prod/*"),
            f"careervp-dev-cloudformation-exec ReadAssets: {RESOLVED_ASSETS}/prod/* reaches asset keys "
            "under prod/",
        ),
        (
            "CareervpProdGithubReadonly",
            rescope("PublishAssets", f"{ASSETS}/*"),
            f"careervp-prod-github-readonly PublishAssets: {RESOLVED_ASSETS}/* reaches asset keys "
            "under dev/, gap-remediation/, staging/, (no prefix)",
        ),
    ],
    ids=["sandbox-whole-bucket", "dev-exec-reads-prod", "prod-plan-whole-bucket"],
)
def test_a_role_reaching_beyond_its_asset_prefix_fails_naming_it(
    account: Path, tmp_path: Path, logical_id: str, change: Plant, finding: str
) -> None:
    code, output = check(plant(account, tmp_path, logical_id, change))
    assert code == 1
    assert f"assets: {finding}: a role touches the CDK asset bucket only under its environment's " in output


def test_a_ledger_write_that_can_overwrite_fails(account: Path, tmp_path: Path) -> None:
    def overwrite(role: dict[str, Any]) -> None:
        for statement in statements(role):
            if statement["Sid"] == "AppendOwnLedger":
                del statement["Condition"]

    code, output = check(plant(account, tmp_path, "CareervpDevGithubDeploy", overwrite))
    assert code == 1
    assert "ledger: careervp-dev-github-deploy AppendOwnLedger: may overwrite ledger records" in output


def test_another_repository_is_not_the_one_the_roles_trust(account: Path) -> None:
    code, output = check(account, repository="someone/else")
    assert code == 1
    assert "'repo:someone/else:environment:prod-plan'" in output


def test_a_bad_repository_is_a_usage_error() -> None:
    result = cli("account", "check", "--assembly", ".", "--repository", "not a repo")
    assert result.code == 2
    assert "'not a repo' is not a GitHub repository: give OWNER/NAME" in result.err


def test_an_execution_role_that_may_rewrite_the_deploy_role_fails(account: Path, tmp_path: Path) -> None:
    def no_guard(role: dict[str, Any]) -> None:
        kept = [statement for statement in statements(role) if statement["Effect"] == "Allow"]
        role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"] = kept

    code, output = check(plant(account, tmp_path, "CareervpDevCloudformationExec", no_guard))
    assert code == 1
    assert "escalation: careervp-dev-cloudformation-exec: may change careervp-dev-github-deploy" in output


def test_an_action_iam_does_not_know_fails_by_cfn_lint(account: Path, tmp_path: Path) -> None:
    def unknown_action(role: dict[str, Any]) -> None:
        statements(role)[0]["Action"].append("s3:NotARealAction")

    code, output = check(plant(account, tmp_path, "CareervpDevGithubDeploy", unknown_action))
    assert code == 1
    assert "cfn-lint W3037: CareervpDevAccountRoles.template.json Resources/CareervpDevGithubDeploy" in output
    assert "'notarealaction' is not one of" in output
