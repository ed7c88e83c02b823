"""The synthesized assembly of the real tree: one stack per environment, each built to the contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from careervp.resources import (
    BILLING_FUNCTION,
    CANARY_FUNCTION,
    FUNCTIONS,
    GAP_FUNCTION,
    HEALTH_FUNCTION,
    INTERVIEW_FUNCTION,
    LETTERS_FUNCTION,
    MODEL_P99_LATENCY_MS,
    MODEL_TIMEOUT_SECONDS,
    NOTIFIER_FUNCTION,
    PRE_TRAFFIC_FUNCTION,
    RESEARCH_FUNCTION,
    TABLES,
    TAILORING_FUNCTION,
    Function,
)
from careervp_infra import assembly as assembly_module
from careervp_infra.cloud_assembly import find_stack, stack_templates
from careervp_infra.environments import load_environments
from careervp_infra.gatekeeper import NAME_PROPERTIES
from careervp_infra.naming import environment_of, physical_name

ENVIRONMENTS = load_environments().stack_names


def template(assembly: Path, env: str) -> dict[str, Any]:
    return find_stack(assembly, f"careervp-{env}-service-stack").load()


def resources_of(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in template["Resources"].items() if value["Type"] == resource_type}


def role_actions(template: dict[str, Any], function_name: str) -> set[str]:
    [function] = [
        value
        for value in resources_of(template, "AWS::Lambda::Function").values()
        if value["Properties"]["FunctionName"] == function_name
    ]
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    actions: set[str] = set()
    for policy in resources_of(template, "AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                action = statement["Action"]
                actions.update(action if isinstance(action, list) else [action])
    return actions


def test_one_assembly_holds_a_service_stack_per_environment(assembly: Path) -> None:
    names = [stack.stack_name for stack in stack_templates(assembly)]
    assert names == [f"careervp-{env}-service-stack" for env in ENVIRONMENTS]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_a_stack_has_termination_protection_exactly_when_its_environment_is_protected(
    assembly: Path, env: str
) -> None:
    manifest = json.loads((assembly / f"assembly-{env}" / "manifest.json").read_text())
    [stack] = [a for a in manifest["artifacts"].values() if a["type"] == "aws:cloudformation:stack"]
    assert stack["properties"]["terminationProtection"] is load_environments().get(env).protected


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_physical_name_in_a_stack_belongs_to_its_environment(assembly: Path, env: str) -> None:
    declared = []
    for resource in template(assembly, env)["Resources"].values():
        if resource["Type"] in NAME_PROPERTIES:
            value: Any = resource["Properties"]
            for key in NAME_PROPERTIES[resource["Type"]][0]:
                value = value[key]
            declared.append(value)
    assert len(declared) > 20
    assert {environment_of(name, ENVIRONMENTS) for name in declared} == {env}


def test_cdk_nag_found_nothing_unacknowledged(assembly: Path) -> None:
    report = json.loads((assembly / "validation-report.json").read_text())
    assert [plugin for plugin in report["pluginReports"] if plugin["conclusion"] != "success"] == []


def test_every_acknowledged_cdk_nag_finding_carries_a_specific_reason(assembly: Path) -> None:
    acknowledged: dict[str, str] = {}
    for metadata in assembly.rglob("*.metadata.json"):
        for entries in json.loads(metadata.read_text()).values():
            for entry in entries:
                if entry["type"] == "aws:cdk:acknowledged-rules":
                    acknowledged.update(entry["data"])
    assert "Annotation::AwsSolutions-S1" in acknowledged
    assert any(
        rule.startswith("Annotation::AwsSolutions-IAM5[Resource::<KbDocumentsBucket") for rule in acknowledged
    )
    assert not any(rule.endswith("AwsSolutions-IAM5") for rule in acknowledged), "IAM5 must name the finding"
    assert all(len(reason) >= 60 for reason in acknowledged.values())


def test_the_app_runs_cdk_nag_over_every_stage(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    attached: list[object] = []
    monkeypatch.setattr(assembly_module, "attach_checks", attached.append)
    app = assembly_module.build_app(tmp_path)
    assert attached == [app]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_functions_run_python_3_13_with_a_retention_bound_log_group(assembly: Path, env: str) -> None:
    stack = template(assembly, env)
    functions = resources_of(stack, "AWS::Lambda::Function")
    assert sorted(f["Properties"]["FunctionName"] for f in functions.values()) == sorted(
        physical_name(env, spec.component, spec.resource)
        for spec in (*FUNCTIONS, CANARY_FUNCTION, NOTIFIER_FUNCTION)
        + ((PRE_TRAFFIC_FUNCTION,) if load_environments().get(env).traffic_shift else ())
    )
    for function in functions.values():
        assert function["Properties"]["Runtime"] == "python3.13"
        log_group = stack["Resources"][function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]]
        assert (
            log_group["Properties"]["LogGroupName"] == f"/aws/lambda/{function['Properties']['FunctionName']}"
        )
        assert log_group["Properties"]["RetentionInDays"] == load_environments().get(env).log_retention_days


def test_each_function_has_an_error_rate_and_a_p99_latency_alarm(assembly: Path) -> None:
    alarms = resources_of(template(assembly, "prod"), "AWS::CloudWatch::Alarm")
    names = {alarm["Properties"]["AlarmName"] for alarm in alarms.values()}
    for spec in (*FUNCTIONS, CANARY_FUNCTION, NOTIFIER_FUNCTION):
        assert f"careervp-prod-{spec.component}-{spec.resource}-error-rate" in names
        assert f"careervp-prod-{spec.component}-{spec.resource}-p99-latency" in names
    latency = {
        a["Properties"]["AlarmName"]: a["Properties"]["Threshold"]
        for a in alarms.values()
        if a["Properties"].get("ExtendedStatistic") == "p99"
    }
    calls_model = {
        f"careervp-prod-{s.component}-{s.resource}-p99-latency" for s in FUNCTIONS if s.calls_model
    }
    assert calls_model and {latency[name] for name in calls_model} == {MODEL_P99_LATENCY_MS}
    assert {threshold for name, threshold in latency.items() if name not in calls_model} == {
        load_environments().get("prod").p99_latency_threshold_ms
    }


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_a_function_that_calls_the_model_has_a_model_spend_alarm_on_its_cost_metric(
    assembly: Path, env: str
) -> None:
    alarms = resources_of(template(assembly, env), "AWS::CloudWatch::Alarm")
    spend = {
        a["Properties"]["AlarmName"]: a["Properties"]
        for a in alarms.values()
        if "model-spend" in a["Properties"]["AlarmName"]
    }
    assert sorted(spend) == sorted(
        f"careervp-{env}-{spec.component}-{spec.resource}-model-spend"
        for spec in FUNCTIONS
        if spec.calls_model
    )
    budget = load_environments().get(env).monthly_budget_usd
    for spec in (TAILORING_FUNCTION, LETTERS_FUNCTION):
        alarm = spend[f"careervp-{env}-{spec.component}-{spec.resource}-model-spend"]
        assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (
            "CareerVP",
            "ModelCostMicroUsd",
            "Sum",
        )
        assert {d["Name"]: d["Value"] for d in alarm["Dimensions"]} == {
            "function": spec.component,
            "service": "careervp",
        }
        assert alarm["Period"] == 3600
        assert alarm["Threshold"] == pytest.approx(round(budget / 30, 2) * 1_000_000)
        assert alarm["AlarmActions"]


def test_functions_that_call_the_model_get_the_key_by_arn_and_time_under_api_gateways_limit(
    assembly: Path,
) -> None:
    stack = template(assembly, "staging")
    functions = {
        f["Properties"]["FunctionName"]: f for f in resources_of(stack, "AWS::Lambda::Function").values()
    }
    for spec in FUNCTIONS:
        function = functions[physical_name("staging", spec.component, spec.resource)]
        variables = function["Properties"]["Environment"]["Variables"]
        assert ("ANTHROPIC_API_KEY_ARN" in variables) == spec.calls_model, spec.component
        assert "ANTHROPIC_API_KEY" not in variables and "ANTHROPIC_BASE_URL" not in variables
        assert function["Properties"]["Timeout"] == (MODEL_TIMEOUT_SECONDS if spec.calls_model else 10)
        if spec.calls_model:
            arn = json.dumps(variables["ANTHROPIC_API_KEY_ARN"])
            assert "secret:careervp-staging-generation-anthropic-api-key" in arn
            actions = role_actions(stack, physical_name("staging", spec.component, spec.resource))
            assert {a for a in actions if a.startswith("secretsmanager:")} == {
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
            }
            assert not any(action.startswith("dynamodb:") for action in actions)
    assert MODEL_TIMEOUT_SECONDS < 29


def test_tables_are_on_demand_with_point_in_time_recovery(assembly: Path) -> None:
    tables = resources_of(template(assembly, "staging"), "AWS::DynamoDB::Table")
    assert len(tables) == len(TABLES)
    for table in tables.values():
        assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
        assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_buckets_are_encrypted_private_and_tls_only(assembly: Path) -> None:
    stack = template(assembly, "dev")
    buckets = resources_of(stack, "AWS::S3::Bucket")
    policies = resources_of(stack, "AWS::S3::BucketPolicy")
    for logical_id, bucket in buckets.items():
        assert bucket["Properties"]["BucketEncryption"]
        assert set(bucket["Properties"]["PublicAccessBlockConfiguration"].values()) == {True}
        [policy] = [p for p in policies.values() if p["Properties"]["Bucket"] == {"Ref": logical_id}]
        denies = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
        assert denies[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_data_of_transient_environments_goes_with_the_stack_and_of_others_is_retained(assembly: Path) -> None:
    for env, policy in (("gap-remediation", "Delete"), ("prod", "Retain")):
        stateful = resources_of(template(assembly, env), "AWS::DynamoDB::Table") | resources_of(
            template(assembly, env), "AWS::S3::Bucket"
        )
        assert {resource["DeletionPolicy"] for resource in stateful.values()} == {policy}


def test_grants_are_least_privilege_per_function(assembly: Path) -> None:
    stack = template(assembly, "dev")
    health = role_actions(stack, physical_name("dev", HEALTH_FUNCTION.component, HEALTH_FUNCTION.resource))
    assert "dynamodb:GetItem" in health
    assert not {"dynamodb:PutItem", "dynamodb:DeleteItem", "s3:PutObject", "s3:DeleteObject"} & health
    gap = role_actions(stack, physical_name("dev", GAP_FUNCTION.component, GAP_FUNCTION.resource))
    assert not any(action.startswith(("s3:", "secretsmanager:")) for action in gap)
    billing = role_actions(stack, physical_name("dev", BILLING_FUNCTION.component, BILLING_FUNCTION.resource))
    assert {"secretsmanager:GetSecretValue", "dynamodb:PutItem"} <= billing
    assert not any("*" in action and action.startswith("dynamodb") for action in billing)


@pytest.mark.parametrize(
    "function",
    [INTERVIEW_FUNCTION, RESEARCH_FUNCTION, TAILORING_FUNCTION, LETTERS_FUNCTION],
    ids=lambda f: f.component,
)
def test_a_write_only_bucket_grant_puts_objects_and_never_reads_lists_or_deletes(
    assembly: Path, function: Function
) -> None:
    actions = role_actions(
        template(assembly, "dev"), physical_name("dev", function.component, function.resource)
    )
    assert {action for action in actions if action.startswith("s3:")} == {"s3:PutObject"}


def test_webhook_secret_is_referenced_by_its_physical_name_never_inlined(assembly: Path) -> None:
    stack = template(assembly, "staging")
    billing = next(
        f
        for f in resources_of(stack, "AWS::Lambda::Function").values()
        if "billing" in f["Properties"]["FunctionName"]
    )
    arn = json.dumps(billing["Properties"]["Environment"]["Variables"]["STRIPE_WEBHOOK_SECRET_ARN"])
    assert "secret:careervp-staging-billing-stripe-webhook-secret" in arn
    assert "STRIPE_WEBHOOK_SECRET" not in billing["Properties"]["Environment"]["Variables"]
    assert not resources_of(stack, "AWS::SecretsManager::Secret")


def test_api_routes_every_function_route_and_stack_exports_the_contract_outputs(assembly: Path) -> None:
    stack = template(assembly, "dev")
    methods = resources_of(stack, "AWS::ApiGateway::Method")
    declared = sum(len(spec.routes) for spec in FUNCTIONS)
    resources = len({route.path for spec in FUNCTIONS for route in spec.routes})
    assert len(methods) == declared + 2 * resources  # each route's method, and per resource ANY and OPTIONS
    assert sum(method["Properties"]["HttpMethod"] == "ANY" for method in methods.values()) == resources
    preflights = [m["Properties"] for m in methods.values() if m["Properties"]["HttpMethod"] == "OPTIONS"]
    assert len(preflights) == resources
    assert {preflight["AuthorizationType"] for preflight in preflights} == {"NONE"}
    assert {"ApiUrl", "KbTableName", "GapTableName", "BillingTableName", "KbBucketName"} <= set(
        stack["Outputs"]
    )


def test_budget_alerts_the_alerts_topic_at_the_environment_limit(assembly: Path) -> None:
    [budget] = resources_of(template(assembly, "prod"), "AWS::Budgets::Budget").values()
    assert budget["Properties"]["Budget"]["BudgetName"] == "careervp-prod-service-budget"
    assert (
        budget["Properties"]["Budget"]["BudgetLimit"]["Amount"]
        == load_environments().get("prod").monthly_budget_usd
    )
    subscribers = [
        n["Subscribers"][0]["SubscriptionType"] for n in budget["Properties"]["NotificationsWithSubscribers"]
    ]
    assert subscribers == ["SNS", "SNS"]


def test_lambda_code_asset_holds_only_the_careervp_package(assembly: Path) -> None:
    [asset] = [path for path in assembly.iterdir() if path.name.startswith("asset.")]
    assert [path.name for path in asset.iterdir()] == ["careervp"]
    assert not list(asset.rglob("__pycache__"))
