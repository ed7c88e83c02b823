"""The environment registry and the account's stacks cannot disagree: every GitHub environment of the
registry has its role, trusted in exactly that GitHub environment, its ARN output under the secret's name;
every deployable environment has its execution role; and a role either side lacks is a finding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from careervp_ci.account.iam_rules import check_roles, expected_roles
from careervp_ci.account.template import AccountTemplate
from careervp_infra.account.naming import Repository, output_key, role_name
from careervp_infra.environments import load_environments
from support.account import REPOSITORY, synthesized


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesized(tmp_path_factory.mktemp("account") / "assembly")


def test_the_roles_are_exactly_those_the_registry_implies(account: Path) -> None:
    names = {role.name for role in AccountTemplate.load(account).roles}
    assert names == set(expected_roles(load_environments()))
    assert {
        "careervp-dev-github-deploy",
        "careervp-staging-github-deploy",
        "careervp-prod-github-deploy",
        "careervp-prod-github-readonly",
        "careervp-gap-remediation-github-deploy",
        "careervp-dev-cloudformation-exec",
    } <= names


def test_each_github_environment_is_trusted_by_its_own_role_only(account: Path) -> None:
    roles = {role.name: role for role in AccountTemplate.load(account).roles}
    for github_environment, access in load_environments().github_environments.items():
        trust = roles[role_name(access)].trust["Statement"][0]["Condition"]["StringEquals"]
        assert trust["token.actions.githubusercontent.com:sub"] == (
            f"repo:{REPOSITORY}:environment:{github_environment}"
        )


def test_every_role_secret_is_an_output(account: Path) -> None:
    outputs: dict[str, object] = {}
    for path in account.glob("*.template.json"):
        outputs.update(json.loads(path.read_text(encoding="utf-8")).get("Outputs", {}))
    for secret in load_environments().role_secrets:
        assert output_key(secret) in outputs, secret


def test_a_role_the_template_lacks_or_the_registry_does_not_name_is_a_finding(account: Path) -> None:
    template = AccountTemplate.load(account)
    resources = dict(template.resources)
    dev = next(key for key in resources if key.startswith("CareervpDevGithubDeploy"))
    stray = resources.pop(dev)
    stray["Properties"] = {**stray["Properties"], "RoleName": "careervp-dev-github-stray"}
    resources["Stray"] = stray
    findings = check_roles(
        AccountTemplate(account, resources), load_environments(), Repository.parse(REPOSITORY)
    )
    rendered = [finding.render() for finding in findings]
    assert (
        "registry: careervp-dev-github-deploy: the registry implies this role (GitHub environment dev) "
        "but the template lacks it" in rendered
    )
    assert (
        "registry: careervp-dev-github-stray: no environment of the registry declares this role" in rendered
    )
