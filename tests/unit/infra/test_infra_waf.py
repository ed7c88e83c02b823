"""The web ACL rule lint, over the synthesized templates: every environment's API is behind an ACL with the
managed rule groups and the project rule, built as `careervp_infra.waf_rules` describes it, logged with
credentials redacted, and cdk-nag accepts it without the old no-WAF exception."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from careervp.resources import FUNCTIONS
from careervp_infra.api import STAGE_NAME
from careervp_infra.environments import load_environments
from careervp_infra.waf import COUNTED_MANAGED_RULES, MANAGED_RULE_GROUPS, REDACTED_HEADERS
from careervp_infra.waf_rules import (
    BLOCK_REASON,
    BLOCK_REASON_HEADER,
    BLOCKED_PATH_FRAGMENTS,
    PROBE_PATH,
    PROJECT_RULE,
    blocks_path,
)
from support.synth import acknowledged_rules, service_resources

ENVIRONMENTS = load_environments().stack_names


def web_acl(assembly: Path, env: str) -> tuple[str, dict[str, Any]]:
    [(logical_id, acl)] = service_resources(assembly, env, "AWS::WAFv2::WebACL").items()
    return logical_id, acl


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_environment_has_one_regional_allow_by_default_acl_with_every_rule_observable(
    assembly: Path, env: str
) -> None:
    _, acl = web_acl(assembly, env)

    assert acl["Name"] == f"careervp-{env}-security-api-acl"
    assert (acl["Scope"], acl["DefaultAction"]) == ("REGIONAL", {"Allow": {}})
    priorities = [rule["Priority"] for rule in acl["Rules"]]
    assert len(priorities) == len(set(priorities))
    for rule in (acl, *acl["Rules"]):
        visibility = rule["VisibilityConfig"]
        assert visibility["CloudWatchMetricsEnabled"] is True
        assert visibility["SampledRequestsEnabled"] is True


def test_managed_groups_block_except_the_body_size_rule_that_would_refuse_documents(assembly: Path) -> None:
    _, acl = web_acl(assembly, "prod")
    managed = {
        rule["Statement"]["ManagedRuleGroupStatement"]["Name"]: rule
        for rule in acl["Rules"]
        if "ManagedRuleGroupStatement" in rule["Statement"]
    }

    assert sorted(managed) == sorted(MANAGED_RULE_GROUPS)
    for name, rule in managed.items():
        assert rule["OverrideAction"] == {"None": {}}
        overrides = rule["Statement"]["ManagedRuleGroupStatement"].get("RuleActionOverrides", [])
        assert overrides == [
            {"Name": counted, "ActionToUse": {"Count": {}}} for counted in COUNTED_MANAGED_RULES.get(name, ())
        ]
    assert COUNTED_MANAGED_RULES == {"AWSManagedRulesCommonRuleSet": ("SizeRestrictions_BODY",)}


def test_the_project_rule_blocks_each_fragment_decoded_and_lowercased_with_its_own_header(
    assembly: Path,
) -> None:
    _, acl = web_acl(assembly, "prod")
    [rule] = [rule for rule in acl["Rules"] if rule["Name"] == PROJECT_RULE]

    assert rule["Action"] == {
        "Block": {
            "CustomResponse": {
                "ResponseCode": 403,
                "ResponseHeaders": [{"Name": BLOCK_REASON_HEADER, "Value": BLOCK_REASON}],
            }
        }
    }
    statements = [
        statement["ByteMatchStatement"] for statement in rule["Statement"]["OrStatement"]["Statements"]
    ]
    assert [statement["SearchString"] for statement in statements] == list(BLOCKED_PATH_FRAGMENTS)
    for statement in statements:
        assert statement["FieldToMatch"] == {"UriPath": {}}
        assert statement["PositionalConstraint"] == "CONTAINS"
        assert statement["TextTransformations"] == [
            {"Priority": 0, "Type": "URL_DECODE"},
            {"Priority": 1, "Type": "LOWERCASE"},
        ]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_acl_guards_the_apis_stage(assembly: Path, env: str) -> None:
    acl_id, _ = web_acl(assembly, env)
    [association] = service_resources(assembly, env, "AWS::WAFv2::WebACLAssociation").values()
    [api_id] = service_resources(assembly, env, "AWS::ApiGateway::RestApi")
    [stage_id] = service_resources(assembly, env, "AWS::ApiGateway::Stage")

    assert association["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    parts = association["ResourceArn"]["Fn::Join"][1]
    assert {"Ref": api_id} in parts
    assert parts[-2:] == ["/stages/", {"Ref": stage_id}]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_waf_logs_go_to_a_retention_bound_group_with_credentials_redacted(assembly: Path, env: str) -> None:
    acl_id, acl = web_acl(assembly, env)
    [logging] = service_resources(assembly, env, "AWS::WAFv2::LoggingConfiguration").values()
    [group] = [
        group
        for group in service_resources(assembly, env, "AWS::Logs::LogGroup").values()
        if group["LogGroupName"].startswith("aws-waf-logs-")
    ]

    assert group["LogGroupName"] == f"aws-waf-logs-{acl['Name']}"
    assert group["RetentionInDays"] == load_environments().get(env).log_retention_days
    assert logging["ResourceArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    [destination] = logging["LogDestinationConfigs"]
    assert destination["Fn::Join"][1][-1] == f":log-group:{group['LogGroupName']}"  # no ":*": WAF refuses it
    assert logging["RedactedFields"] == [{"SingleHeader": {"Name": header}} for header in REDACTED_HEADERS]


def test_cdk_nag_needs_no_exception_for_a_missing_web_acl(assembly: Path) -> None:
    acknowledged = acknowledged_rules(assembly)
    assert not any("AwsSolutions-APIG3" in rule for rule in acknowledged)


@pytest.mark.parametrize(
    "path", [f"/{STAGE_NAME}{PROBE_PATH}", "/v1/%2Egit/config", "/V1/WP-Admin/", "/v1/kb/%2fphpMyAdmin"]
)
def test_the_project_rule_blocks_scanner_paths_however_encoded(path: str) -> None:
    assert blocks_path(path)


def test_the_project_rule_blocks_no_route_of_the_api() -> None:
    for function in FUNCTIONS:
        for route in function.routes:
            path = f"/{STAGE_NAME}{route.path}".replace("{", "").replace("}", "")
            assert not blocks_path(path), f"{route.method} {route.path} would be blocked by {PROJECT_RULE}"
