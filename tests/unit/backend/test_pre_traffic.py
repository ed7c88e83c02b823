"""The pre-traffic hook: it reads every route the release's read-only smoke reads, its probes are answered by
every real handler, a wrong answer or an unreachable table fails the check, and the hook reports each outcome
to CodeDeploy (a stubbed client, botocore's Stubber, holds the calls)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber
from careervp import aws_clients
from careervp.handlers import pre_traffic as hook
from careervp.pre_traffic import (
    PreTrafficConfigError,
    Target,
    check_version,
    probes,
    proxy_event,
    target_for,
)
from careervp.resources import (
    ENV_VAR_KB_TABLE,
    ENV_VAR_PRE_TRAFFIC_TARGETS,
    FUNCTIONS,
    HEALTH_FUNCTION,
    KB_FUNCTION,
)
from careervp_ci.release.smoke import CHECKS
from careervp_local.http_server import invoke

VERSION = "arn:aws:lambda:us-east-1:123456789012:function:careervp-prod-health-api:7"
GROUP = "careervp-prod-health-deploy"
TARGETS = json.dumps({GROUP: {"component": "health", "version": VERSION}})
EVENT = {"DeploymentId": "d-ABCDEFGHI", "LifecycleEventHookExecutionId": "hook-execution-1"}


def test_every_read_route_is_read_and_every_route_resource_is_preflighted() -> None:
    assert [(probe.method, probe.path, probe.expected) for probe in probes(HEALTH_FUNCTION)] == [
        ("GET", "/health", 200),
        ("OPTIONS", "/health", 204),
    ]
    absent = "/kb/documents/" + "0" * 32
    assert [(probe.method, probe.path, probe.expected, probe.signed_in) for probe in probes(KB_FUNCTION)] == [
        ("GET", "/kb/documents", 200, True),
        ("GET", absent, 404, True),
        ("OPTIONS", "/kb/documents", 204, False),
        ("OPTIONS", absent, 204, False),
    ]


def test_an_item_read_is_the_event_api_gateway_sends_a_signed_in_user() -> None:
    [_, item, *_] = probes(KB_FUNCTION)
    event = proxy_event(item)
    assert event["resource"] == "/kb/documents/{document_id}" and event["path"] == "/kb/documents/" + "0" * 32
    assert event["pathParameters"] == {"document_id": "0" * 32}
    assert event["requestContext"]["authorizer"]["claims"]["sub"] == "pre-traffic-probe"
    assert "authorizer" not in proxy_event(probes(HEALTH_FUNCTION)[0])["requestContext"]


def test_the_hook_reads_every_route_the_read_only_smoke_reads() -> None:
    smoke_reads = {(check.method, check.path) for check in CHECKS if check.read_only}
    probed = {(probe.method, probe.resource) for function in FUNCTIONS for probe in probes(function)}
    assert smoke_reads - probed == set()


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.component)
def test_every_function_passes_the_check_with_its_real_handler(
    function: Any, backend_env: dict[str, str]
) -> None:
    def run_handler(version_arn: str, event: dict[str, Any]) -> dict[str, Any]:
        assert version_arn == VERSION
        return invoke(function, event, backend_env)

    assert check_version(Target(function, VERSION), run_handler) == []


def test_a_version_whose_table_is_out_of_reach_fails_the_check_naming_the_read(
    backend_env: dict[str, str],
) -> None:
    broken = {**backend_env, ENV_VAR_KB_TABLE: "careervp-unit-kb-missing"}
    failures = check_version(
        Target(KB_FUNCTION, VERSION), lambda _arn, event: invoke(KB_FUNCTION, event, broken)
    )
    assert failures == [
        "GET /kb/documents: expected 200, got 500",
        f"GET /kb/documents/{'0' * 32}: expected 404, got 500",
    ]


def test_a_version_that_answers_wrongly_fails_the_check_naming_the_probe() -> None:
    failures = check_version(Target(HEALTH_FUNCTION, VERSION), lambda _arn, _event: {"statusCode": 502})
    assert failures == ["GET /health: expected 200, got 502", "OPTIONS /health: expected 204, got 502"]


def test_the_target_is_looked_up_by_deployment_group() -> None:
    assert target_for(GROUP, TARGETS) == Target(HEALTH_FUNCTION, VERSION)
    with pytest.raises(PreTrafficConfigError, match="no version for deployment group 'other'"):
        target_for("other", TARGETS)
    with pytest.raises(PreTrafficConfigError, match="unknown function 'ghost'"):
        target_for(GROUP, json.dumps({GROUP: {"component": "ghost", "version": VERSION}}))


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Stubber, Stubber]]:
    """CodeDeploy and Lambda clients whose every call must be the one the test expects."""
    monkeypatch.setenv(ENV_VAR_PRE_TRAFFIC_TARGETS, TARGETS)
    codedeploy = boto3.client("codedeploy", region_name="us-east-1")
    lambda_client = boto3.client("lambda", region_name="us-east-1")
    monkeypatch.setattr(aws_clients, "codedeploy", lambda: codedeploy)
    monkeypatch.setattr(aws_clients, "lambda_", lambda: lambda_client)
    with Stubber(codedeploy) as deploys, Stubber(lambda_client) as functions:
        yield deploys, functions
        deploys.assert_no_pending_responses()
        functions.assert_no_pending_responses()


def expect_deployment(deploys: Stubber) -> None:
    deploys.add_response(
        "get_deployment",
        {"deploymentInfo": {"deploymentId": EVENT["DeploymentId"], "deploymentGroupName": GROUP}},
        {"deploymentId": EVENT["DeploymentId"]},
    )


def expect_invoke(functions: Stubber, answer: dict[str, Any]) -> None:
    payload = json.dumps(answer).encode()
    functions.add_response(
        "invoke",
        {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(payload), len(payload))},
        {"FunctionName": VERSION, "Payload": ANY},
    )


def expect_report(deploys: Stubber, status: str) -> None:
    deploys.add_response(
        "put_lifecycle_event_hook_execution_status",
        {"lifecycleEventHookExecutionId": EVENT["LifecycleEventHookExecutionId"]},
        {
            "deploymentId": EVENT["DeploymentId"],
            "lifecycleEventHookExecutionId": EVENT["LifecycleEventHookExecutionId"],
            "status": status,
        },
    )


def test_a_healthy_version_is_reported_succeeded(stubbed: tuple[Stubber, Stubber]) -> None:
    deploys, functions = stubbed
    expect_deployment(deploys)
    expect_invoke(functions, {"statusCode": 200})
    expect_invoke(functions, {"statusCode": 204})
    expect_report(deploys, "Succeeded")
    assert hook.handler(EVENT, None) == {"status": "Succeeded"}  # type: ignore[arg-type]


def test_a_failing_version_is_reported_failed(stubbed: tuple[Stubber, Stubber]) -> None:
    deploys, functions = stubbed
    expect_deployment(deploys)
    expect_invoke(functions, {"statusCode": 500})
    expect_invoke(functions, {"statusCode": 204})
    expect_report(deploys, "Failed")
    assert hook.handler(EVENT, None) == {"status": "Failed"}  # type: ignore[arg-type]


def test_a_fault_in_the_hook_is_still_reported_failed(stubbed: tuple[Stubber, Stubber]) -> None:
    deploys, _ = stubbed
    deploys.add_client_error("get_deployment", "DeploymentDoesNotExistException")
    expect_report(deploys, "Failed")
    assert hook.handler(EVENT, None) == {"status": "Failed"}  # type: ignore[arg-type]
