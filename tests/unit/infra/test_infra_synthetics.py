"""The synthetic health check as synthesized: scheduled, reaching the API's /health, alarmed on exactly the
metric the canary emits, and granted nothing beyond its own log group."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from careervp.canary import HEALTH_METRIC, metric_dimensions
from careervp.resources import ENV_VAR_HEALTH_URL, METRICS_NAMESPACE
from careervp_infra.cloud_assembly import find_stack
from careervp_infra.environments import load_environments

ENVIRONMENTS = load_environments().stack_names


def resources(assembly: Path, env: str, resource_type: str) -> dict[str, dict[str, Any]]:
    template = find_stack(assembly, f"careervp-{env}-service-stack").load()
    return {key: value for key, value in template["Resources"].items() if value["Type"] == resource_type}


def canary(assembly: Path, env: str) -> tuple[str, dict[str, Any]]:
    [(logical_id, function)] = [
        (key, value)
        for key, value in resources(assembly, env, "AWS::Lambda::Function").items()
        if value["Properties"]["FunctionName"] == f"careervp-{env}-monitoring-canary"
    ]
    return logical_id, function["Properties"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_a_schedule_starts_the_canary_every_five_minutes(assembly: Path, env: str) -> None:
    logical_id, _ = canary(assembly, env)
    [rule] = resources(assembly, env, "AWS::Events::Rule").values()

    assert rule["Properties"]["Name"] == f"careervp-{env}-monitoring-canary-schedule"
    assert rule["Properties"]["ScheduleExpression"] == "rate(5 minutes)"
    assert rule["Properties"]["State"] == "ENABLED"
    assert [target["Arn"] for target in rule["Properties"]["Targets"]] == [
        {"Fn::GetAtt": [logical_id, "Arn"]}
    ]
    permissions = resources(assembly, env, "AWS::Lambda::Permission").values()
    assert any(
        permission["Properties"]["Principal"] == "events.amazonaws.com"
        and permission["Properties"]["FunctionName"] == {"Fn::GetAtt": [logical_id, "Arn"]}
        for permission in permissions
    )


def test_the_canary_calls_the_health_route_of_its_own_stage(assembly: Path) -> None:
    _, properties = canary(assembly, "dev")
    [api_id] = resources(assembly, "dev", "AWS::ApiGateway::RestApi")
    [stage_id] = resources(assembly, "dev", "AWS::ApiGateway::Stage")

    _, parts = properties["Environment"]["Variables"][ENV_VAR_HEALTH_URL]["Fn::Join"]

    assert parts[:2] == ["https://", {"Ref": api_id}]
    assert parts[-3:] == ["/", {"Ref": stage_id}, "/health"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_health_alarm_watches_what_the_canary_emits_and_breaches_when_it_is_silent(
    assembly: Path, env: str
) -> None:
    [alarm] = [
        value["Properties"]
        for value in resources(assembly, env, "AWS::CloudWatch::Alarm").values()
        if value["Properties"]["AlarmName"] == f"careervp-{env}-monitoring-health-check"
    ]

    assert (alarm["Namespace"], alarm["MetricName"]) == (METRICS_NAMESPACE, HEALTH_METRIC)
    assert {item["Name"]: item["Value"] for item in alarm["Dimensions"]} == metric_dimensions(env)
    assert (alarm["Statistic"], alarm["ComparisonOperator"], alarm["Threshold"]) == (
        "Minimum",
        "LessThanThreshold",
        1,
    )
    assert alarm["TreatMissingData"] == "breaching"
    assert alarm["AlarmActions"] == [{"Ref": next(iter(resources(assembly, env, "AWS::SNS::Topic")))}]


def test_the_canary_may_only_write_its_own_log_group_and_dead_letter_queue(assembly: Path) -> None:
    logical_id, properties = canary(assembly, "dev")
    role_id = properties["Role"]["Fn::GetAtt"][0]
    statements = [
        statement
        for policy in resources(assembly, "dev", "AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]

    assert [statement["Action"] for statement in statements] == [
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        "sqs:SendMessage",
    ]
    assert statements[1]["Resource"] == properties["DeadLetterConfig"]["TargetArn"]
    log_group_id = properties["LoggingConfig"]["LogGroup"]["Ref"]
    assert statements[0]["Resource"] == {"Fn::GetAtt": [log_group_id, "Arn"]}
    log_group = resources(assembly, "dev", "AWS::Logs::LogGroup")[log_group_id]["Properties"]
    assert log_group["RetentionInDays"] == load_environments().get("dev").log_retention_days
    assert logical_id.startswith("MonitoringCanary")
