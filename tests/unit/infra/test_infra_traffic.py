"""Progressive delivery in the synthesized templates: where an environment declares `traffic_shift`, every
API function is published as a version behind its `live` alias, the API invokes the alias, and a CodeDeploy
deployment group per function shifts traffic as declared, gated on the function's alarms, rolled back by
itself, after the pre-traffic hook; where it declares none (dev), the API invokes the function directly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

import pytest
from careervp.resources import ENV_VAR_PRE_TRAFFIC_TARGETS, FUNCTIONS, PRE_TRAFFIC_FUNCTION
from careervp_infra.cloud_assembly import find_stack
from careervp_infra.environments import TrafficShift, load_environments
from careervp_infra.naming import physical_name
from careervp_infra.traffic import ALIAS_NAME, DEPLOYMENT_CONFIGS

SHIFTING = [env.name for env in load_environments().stacks if env.traffic_shift]
DIRECT = [env.name for env in load_environments().stacks if not env.traffic_shift]


def template(assembly: Path, env: str) -> dict[str, Any]:
    return find_stack(assembly, f"careervp-{env}-service-stack").load()


def of_type(stack: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in stack["Resources"].items() if value["Type"] == resource_type}


def function_ids(stack: dict[str, Any]) -> dict[str, str]:
    """Logical id of each API function by its physical name."""
    return {
        value["Properties"]["FunctionName"]: key
        for key, value in of_type(stack, "AWS::Lambda::Function").items()
    }


def test_staging_and_prod_shift_traffic_and_prod_by_canary() -> None:
    assert {"staging", "prod"} <= set(SHIFTING) and "dev" in DIRECT
    assert load_environments().get("prod").traffic_shift in {
        shift for shift in get_args(TrafficShift) if shift.startswith("Canary")
    }


def test_every_declared_traffic_shift_is_a_codedeploy_configuration_of_that_name() -> None:
    assert set(DEPLOYMENT_CONFIGS) == set(get_args(TrafficShift))


@pytest.mark.parametrize("env", SHIFTING)
def test_each_function_has_an_alias_and_a_deployment_group_with_alarms_and_rollback(
    assembly: Path, env: str
) -> None:
    stack = template(assembly, env)
    ids = function_ids(stack)
    aliases = {
        value["Properties"]["FunctionName"]["Ref"]: (key, value)
        for key, value in of_type(stack, "AWS::Lambda::Alias").items()
    }
    groups = of_type(stack, "AWS::CodeDeploy::DeploymentGroup")
    assert len(aliases) == len(groups) == len(FUNCTIONS)
    alarm_names = {
        key: value["Properties"]["AlarmName"]
        for key, value in of_type(stack, "AWS::CloudWatch::Alarm").items()
    }
    for spec in FUNCTIONS:
        name = physical_name(env, spec.component, spec.resource)
        _, alias = aliases[ids[name]]
        assert alias["Properties"]["Name"] == ALIAS_NAME
        version_id = alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][0]
        assert stack["Resources"][version_id]["Type"] == "AWS::Lambda::Version"
        update = alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
        group = groups[update["DeploymentGroupName"]["Ref"]]["Properties"]
        assert group["DeploymentGroupName"] == f"{name}-deploy"
        assert group["DeploymentConfigName"] == (
            f"CodeDeployDefault.Lambda{load_environments().get(env).traffic_shift}"
        )
        assert group["AlarmConfiguration"]["Enabled"] is True
        gated = {alarm_names[alarm["Name"]["Ref"]] for alarm in group["AlarmConfiguration"]["Alarms"]}
        assert gated == {f"{name}-error-rate", f"{name}-p99-latency"}
        assert group["AutoRollbackConfiguration"]["Enabled"] is True
        assert {"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"} <= set(
            group["AutoRollbackConfiguration"]["Events"]
        )
        hook = physical_name(env, PRE_TRAFFIC_FUNCTION.component, PRE_TRAFFIC_FUNCTION.resource)
        assert update["BeforeAllowTrafficHook"] == {"Ref": ids[hook]}


@pytest.mark.parametrize("env", SHIFTING)
def test_the_api_invokes_each_alias_and_the_hook_knows_each_groups_new_version(
    assembly: Path, env: str
) -> None:
    stack = template(assembly, env)
    alias_ids = set(of_type(stack, "AWS::Lambda::Alias"))
    uris = [
        json.dumps(method["Properties"]["Integration"]["Uri"])
        for method in of_type(stack, "AWS::ApiGateway::Method").values()
    ]
    assert uris and all(any(f'"Ref": "{alias}"' in uri for alias in alias_ids) for uri in uris)
    ids = function_ids(stack)
    hook = stack["Resources"][
        ids[physical_name(env, PRE_TRAFFIC_FUNCTION.component, PRE_TRAFFIC_FUNCTION.resource)]
    ]
    targets = json.dumps(hook["Properties"]["Environment"]["Variables"][ENV_VAR_PRE_TRAFFIC_TARGETS])
    for spec in FUNCTIONS:
        assert f"{physical_name(env, spec.component, spec.resource)}-deploy" in targets


@pytest.mark.parametrize("env", DIRECT)
def test_an_environment_without_traffic_shift_has_no_alias_and_no_codedeploy(
    assembly: Path, env: str
) -> None:
    stack = template(assembly, env)
    kinds = {value["Type"] for value in stack["Resources"].values()}
    assert not kinds & {
        "AWS::Lambda::Alias",
        "AWS::Lambda::Version",
        "AWS::CodeDeploy::Application",
        "AWS::CodeDeploy::DeploymentGroup",
    }


@pytest.mark.parametrize("env", SHIFTING)
def test_the_hooks_invoke_grant_names_the_functions_versions_so_a_deploy_does_not_change_it(
    assembly: Path, env: str
) -> None:
    """A grant on this deploy's version ids would change with every code change, and every prod change set
    review would flag it as widening access (`careervp_ci.release.widening`)."""
    stack = template(assembly, env)
    ids = function_ids(stack)
    hook = stack["Resources"][
        ids[physical_name(env, PRE_TRAFFIC_FUNCTION.component, PRE_TRAFFIC_FUNCTION.resource)]
    ]
    role = hook["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = [
        statement
        for policy in of_type(stack, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Action"] == "lambda:InvokeFunction"
    ]
    [invoke] = statements
    assert invoke["Resource"] == [
        {
            "Fn::Join": [
                "",
                [{"Fn::GetAtt": [ids[physical_name(env, spec.component, spec.resource)], "Arn"]}, ":*"],
            ]
        }
        for spec in FUNCTIONS
    ]
