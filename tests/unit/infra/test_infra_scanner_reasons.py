"""What the IaC scan asked of the templates: dead-letter queues for the functions invoked asynchronously,
reserved concurrency where the registry sets it, API tracing; and every excused check carries its reason
in the resource's own metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from careervp_infra.cloud_assembly import find_stack
from careervp_infra.environments import load_environments
from careervp_infra.scanner_reasons import explain
from support.synth import service_resources


def resources(assembly: Path, env: str) -> dict[str, dict[str, Any]]:
    template: dict[str, dict[str, Any]] = find_stack(assembly, f"careervp-{env}-service-stack").load()
    return template["Resources"]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_only_the_event_driven_functions_have_a_kms_encrypted_dead_letter_queue(
    assembly: Path, env: str
) -> None:
    functions = service_resources(assembly, env, "AWS::Lambda::Function")
    with_queue = {props["FunctionName"] for props in functions.values() if "DeadLetterConfig" in props}
    event_driven = {f"careervp-{env}-monitoring-canary", f"careervp-{env}-notifications-sender"}
    if load_environments().get(env).traffic_shift:
        event_driven.add(f"careervp-{env}-delivery-pre-traffic")  # CodeDeploy's pre-traffic hook
    assert with_queue == event_driven
    queues = service_resources(assembly, env, "AWS::SQS::Queue")
    assert sorted(queue["QueueName"] for queue in queues.values()) == sorted(
        f"{name}-dlq" for name in event_driven
    )
    assert all(queue["KmsMasterKeyId"] == "alias/aws/sqs" for queue in queues.values())


def test_functions_reserve_concurrency_exactly_where_the_registry_says(assembly: Path) -> None:
    for env in ("dev", "staging", "prod"):
        declared = load_environments().get(env).reserved_concurrency
        functions = service_resources(assembly, env, "AWS::Lambda::Function").values()
        assert {props.get("ReservedConcurrentExecutions") for props in functions} == {declared}, env
    assert load_environments().get("prod").reserved_concurrency is not None


def test_the_api_stage_is_traced(assembly: Path) -> None:
    (stage,) = service_resources(assembly, "prod", "AWS::ApiGateway::Stage").values()
    assert stage["TracingEnabled"] is True


def test_every_excused_check_carries_a_reason_of_its_own(assembly: Path) -> None:
    skips = [
        (logical_id, skip)
        for env in ("dev", "prod")
        for logical_id, resource in resources(assembly, env).items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    assert [(logical_id, skip) for logical_id, skip in skips if len(skip.get("comment", "")) < 40] == []


def test_dev_says_why_it_reserves_no_concurrency_and_prod_has_nothing_to_excuse(assembly: Path) -> None:
    def excused(env: str) -> set[str]:
        return {
            skip["id"]
            for resource in resources(assembly, env).values()
            if resource["Type"] == "AWS::Lambda::Function"
            for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
        }

    assert "CKV_AWS_115" in excused("dev")
    assert "CKV_AWS_115" not in excused("prod")


def test_a_reason_needs_a_cloudformation_resource_to_live_on() -> None:
    stack = cdk.Stack(cdk.App())
    with pytest.raises(TypeError, match="has no CloudFormation resource to explain CKV_AWS_1 on"):
        explain(cdk.Resource(stack, "Abstract"), "CKV_AWS_1", "planted")
