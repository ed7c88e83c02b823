from __future__ import annotations

import pytest
from careervp_infra.environments import EnvironmentConfigError, UnknownEnvironmentError
from careervp_infra.naming import (
    NAME_LIMITS,
    NamingError,
    Rule,
    Service,
    check_name,
    environment_of,
    log_group_name,
    physical_name,
)

KNOWN = ("dev", "staging", "prod", "gap-remediation")


def rules(name: str, service: Service = Service.S3_BUCKET) -> set[Rule]:
    return {violation.rule for violation in check_name(name, service, KNOWN)}


def test_physical_name_is_project_env_component_resource() -> None:
    assert physical_name("dev", "kb", "documents") == "careervp-dev-kb-documents"
    assert physical_name("gap-remediation", "gap", "responses") == "careervp-gap-remediation-gap-responses"


def test_physical_name_refuses_an_unknown_environment() -> None:
    with pytest.raises(UnknownEnvironmentError, match="known environments are dev"):
        physical_name("qa", "kb", "documents")


def test_physical_name_refuses_an_environment_that_deploys_another_ones_stack() -> None:
    with pytest.raises(EnvironmentConfigError, match="local has no stack of its own: it deploys dev's"):
        physical_name("local", "kb", "documents")


@pytest.mark.parametrize("component", ["KB", "kb_docs", "", "-kb", "kb--docs"])
def test_physical_name_refuses_a_bad_segment(component: str) -> None:
    with pytest.raises(NamingError, match="component"):
        physical_name("dev", component, "documents")


def test_physical_name_refuses_a_name_over_the_service_limit() -> None:
    with pytest.raises(NamingError, match="over the S3 bucket limit of 63"):
        physical_name(
            "gap-remediation", "knowledge-base", "documents-archive-2026-q1", service=Service.S3_BUCKET
        )


def test_limits_are_the_services_documented_maximums() -> None:
    assert NAME_LIMITS[Service.S3_BUCKET] == 63
    assert NAME_LIMITS[Service.LAMBDA_FUNCTION] == 64
    assert NAME_LIMITS[Service.IAM_ROLE] == 64
    assert NAME_LIMITS[Service.DYNAMODB_TABLE] == 255
    assert NAME_LIMITS[Service.LOG_GROUP] == 512
    assert NAME_LIMITS[Service.BUDGET] == 100
    assert NAME_LIMITS[Service.EVENTS_RULE] == 64
    assert NAME_LIMITS[Service.WAF_WEB_ACL] == 128
    assert NAME_LIMITS[Service.COGNITO_USER_POOL] == 128
    assert NAME_LIMITS[Service.COGNITO_USER_POOL_CLIENT] == 128
    assert NAME_LIMITS[Service.CLOUDFRONT_DISTRIBUTION] == 128  # the distribution's comment
    assert NAME_LIMITS[Service.CLOUDFRONT_ORIGIN_ACCESS_CONTROL] == 64


def test_a_good_name_breaks_no_rule() -> None:
    assert check_name("careervp-prod-kb-documents", Service.S3_BUCKET, KNOWN) == []


def test_lambda_api_gateway_and_waf_log_group_prefixes_are_allowed() -> None:
    assert check_name("/aws/lambda/careervp-dev-kb-api", Service.LOG_GROUP, KNOWN) == []
    assert check_name("/aws/apigateway/careervp-dev-service-api-access", Service.LOG_GROUP, KNOWN) == []
    assert check_name("aws-waf-logs-careervp-dev-security-api-acl", Service.LOG_GROUP, KNOWN) == []
    assert rules("/custom/careervp-dev-kb-api", Service.LOG_GROUP) == {Rule.MISSING_PREFIX, Rule.CHARACTERS}


def test_log_group_name_refuses_an_unknown_prefix() -> None:
    with pytest.raises(NamingError, match="/aws/lambda/"):
        log_group_name("/custom/", "careervp-dev-kb-api")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("careervp-dev-KB-documents", {Rule.CASE}),
        ("careervp-dev-kb_documents", {Rule.CHARACTERS}),
        ("careervp-dev-kb--documents", {Rule.CHARACTERS}),
        ("careervp-qa-kb-documents", {Rule.UNKNOWN_ENVIRONMENT}),
        ("myapp-dev-kb-documents", {Rule.MISSING_PREFIX}),
        ("careervp-dev-kb", {Rule.STRUCTURE}),
        ("careervp-dev-kb-" + "d" * 50, {Rule.LENGTH}),
        ("CareerVP-QA-kb-documents", {Rule.CASE, Rule.UNKNOWN_ENVIRONMENT}),
    ],
)
def test_each_broken_rule_is_named(name: str, expected: set[Rule]) -> None:
    assert rules(name) == expected


def test_unknown_environment_violation_names_the_segment_and_the_known_list() -> None:
    [violation] = check_name("careervp-qa-kb-documents", Service.S3_BUCKET, KNOWN)
    assert "'qa'" in violation.message
    assert "gap-remediation" in violation.message


def test_length_is_judged_per_service() -> None:
    name = "careervp-dev-kb-" + "d" * 60
    assert rules(name, Service.S3_BUCKET) == {Rule.LENGTH}
    assert rules(name, Service.DYNAMODB_TABLE) == set()


def test_environment_of_prefers_the_longest_declared_environment() -> None:
    assert environment_of("careervp-gap-remediation-gap-api", ("gap", "gap-remediation")) == "gap-remediation"
    assert environment_of("careervp-gap-x-api", ("gap", "gap-remediation")) == "gap"
    assert environment_of("other-dev-kb-api", KNOWN) is None
