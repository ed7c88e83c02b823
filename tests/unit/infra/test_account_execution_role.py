"""The release and the account stack name one execution role per environment: every grant that makes
CloudFormation act (create, update, delete, a change set) holds the caller to the ARN the release passes as
`RoleARN` (`careervp_infra.account.naming.execution_role_arn`, read by release/session.py), and passing
it is the only pass-role; prod's plan role may create a change set, never execute one."""

from __future__ import annotations

from typing import Any

import pytest
from careervp_ci.account.template import PLACEHOLDERS, AccountTemplate, Role, as_list
from careervp_infra.account.naming import deployable, execution_role_arn
from careervp_infra.environments import load_environments
from support.account import synthesized

ACTS = {
    "cloudformation:CreateStack",
    "cloudformation:UpdateStack",
    "cloudformation:CreateChangeSet",
    "cloudformation:DeleteStack",
}
EXECUTES = {"cloudformation:ExecuteChangeSet", "cloudformation:DeleteChangeSet"}


@pytest.fixture(scope="module")
def roles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Role]:
    account = synthesized(tmp_path_factory.mktemp("account") / "assembly")
    return {role.name: role for role in AccountTemplate.load(account).roles}


def granting(role: Role, actions: set[str]) -> list[dict[str, Any]]:
    return [
        statement
        for statement in role.statements
        if statement["Effect"] == "Allow" and actions & set(as_list(statement["Action"]))
    ]


def the_release_passes(env_name: str) -> str:
    env = load_environments().get(env_name)
    return execution_role_arn(env, account=PLACEHOLDERS["AWS::AccountId"], partition="aws")


@pytest.mark.parametrize("env", [env.name for env in deployable(load_environments())])
def test_the_deploy_role_makes_cloudformation_act_only_as_the_role_the_release_passes(
    roles: dict[str, Role], env: str
) -> None:
    deploy = roles[f"careervp-{env}-github-deploy"]
    acting = granting(deploy, ACTS)
    assert {action for statement in acting for action in as_list(statement["Action"])} == ACTS
    for statement in acting:
        assert statement["Condition"] == {"StringEquals": {"cloudformation:RoleArn": the_release_passes(env)}}
    (passing,) = granting(deploy, {"iam:PassRole"})
    assert passing["Resource"] == the_release_passes(env)
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}
    assert the_release_passes(env) == f"arn:aws:iam::111122223333:role/careervp-{env}-cloudformation-exec"
    assert f"careervp-{env}-cloudformation-exec" in roles


def test_the_prod_plan_role_creates_the_change_set_as_prods_role_and_never_executes(
    roles: dict[str, Role],
) -> None:
    plan = roles["careervp-prod-github-readonly"]
    (creating,) = granting(plan, ACTS)
    assert as_list(creating["Action"]) == ["cloudformation:CreateChangeSet"]
    assert creating["Condition"] == {"StringEquals": {"cloudformation:RoleArn": the_release_passes("prod")}}
    (passing,) = granting(plan, {"iam:PassRole"})
    assert passing["Resource"] == the_release_passes("prod")
    granted = {action for statement in plan.statements for action in as_list(statement["Action"])}
    assert not granted & (EXECUTES | ACTS - {"cloudformation:CreateChangeSet"})
    assert "s3:PutObject" in granted  # the change set's assets (release/change_sets.py publishes them first)
