"""The API's web ACL: AWS managed rule groups against common exploits, known-bad inputs and abusive IP
addresses, and one CareerVP rule that blocks scanners probing for files and admin pages the API never serves.

The project rule (`careervp_infra.waf_rules`) answers with its own header (`x-amzn-waf-block-reason:
known-bad-path`), so a smoke can tell a WAF block from API Gateway's own 403 for an unknown path. The
common rule set's 8 KB body-size rule only counts: knowledge-base documents are larger, and each handler
enforces its own body limit.
"""

from __future__ import annotations

from typing import cast

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from careervp_infra.data_stores import removal_policy
from careervp_infra.environments import Environment
from careervp_infra.naming import Service, log_group_name, physical_name
from careervp_infra.waf_rules import BLOCK_REASON, BLOCK_REASON_HEADER, BLOCKED_PATH_FRAGMENTS, PROJECT_RULE

WAF = wafv2.CfnWebACL
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
)
COUNTED_MANAGED_RULES = {"AWSManagedRulesCommonRuleSet": ("SizeRestrictions_BODY",)}
"""Managed rules switched to count (observe, never block), each for the reason in the module docstring."""
REDACTED_HEADERS = ("authorization", "stripe-signature")
"""Credentials never written to the WAF log."""


def web_acl_name(env: str) -> str:
    return physical_name(env, "security", "api-acl", service=Service.WAF_WEB_ACL)


def create_web_acl(scope: Construct, env: Environment, api: apigateway.RestApi) -> wafv2.CfnWebACL:
    """The web ACL, attached to the API's stage, logging to a retention-bound log group."""
    name = web_acl_name(env.name)
    acl = wafv2.CfnWebACL(
        scope,
        "SecurityApiWebAcl",
        name=name,
        description=f"CareerVP {env.name} API: managed protections and known-bad paths",
        scope="REGIONAL",
        default_action=WAF.DefaultActionProperty(allow={}),
        visibility_config=_visibility(name),
        rules=[
            *(_managed_rule(group, priority) for priority, group in enumerate(MANAGED_RULE_GROUPS)),
            _known_bad_paths_rule(len(MANAGED_RULE_GROUPS)),
        ],
    )
    wafv2.CfnWebACLAssociation(
        scope,
        "SecurityApiWebAclAssociation",
        resource_arn=api.deployment_stage.stage_arn,
        web_acl_arn=acl.attr_arn,
    )
    _logging(scope, env, name, acl)
    return acl


def _visibility(metric: str) -> WAF.VisibilityConfigProperty:
    return WAF.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


def _managed_rule(group: str, priority: int) -> WAF.RuleProperty:
    return WAF.RuleProperty(
        name=group,
        priority=priority,
        override_action=WAF.OverrideActionProperty(none={}),
        statement=WAF.StatementProperty(
            managed_rule_group_statement=WAF.ManagedRuleGroupStatementProperty(
                vendor_name="AWS",
                name=group,
                rule_action_overrides=[
                    WAF.RuleActionOverrideProperty(name=rule, action_to_use=WAF.RuleActionProperty(count={}))
                    for rule in COUNTED_MANAGED_RULES.get(group, ())
                ]
                or None,
            )
        ),
        visibility_config=_visibility(group),
    )


def _known_bad_paths_rule(priority: int) -> WAF.RuleProperty:
    matches = [
        WAF.StatementProperty(
            byte_match_statement=WAF.ByteMatchStatementProperty(
                field_to_match=WAF.FieldToMatchProperty(uri_path={}),
                positional_constraint="CONTAINS",
                search_string=fragment,
                text_transformations=[
                    WAF.TextTransformationProperty(priority=0, type="URL_DECODE"),
                    WAF.TextTransformationProperty(priority=1, type="LOWERCASE"),
                ],
            )
        )
        for fragment in BLOCKED_PATH_FRAGMENTS
    ]
    return WAF.RuleProperty(
        name=PROJECT_RULE,
        priority=priority,
        action=WAF.RuleActionProperty(
            block=WAF.BlockActionProperty(
                custom_response=WAF.CustomResponseProperty(
                    response_code=403,
                    response_headers=[
                        WAF.CustomHTTPHeaderProperty(name=BLOCK_REASON_HEADER, value=BLOCK_REASON)
                    ],
                )
            )
        ),
        statement=WAF.StatementProperty(or_statement=WAF.OrStatementProperty(statements=matches)),
        visibility_config=_visibility(PROJECT_RULE),
    )


def _logging(scope: Construct, env: Environment, name: str, acl: wafv2.CfnWebACL) -> None:
    """WAF logs only to log groups named `aws-waf-logs-...`, by the group's ARN without the `:*` suffix."""
    group_name = log_group_name("aws-waf-logs-", name)
    group = logs.LogGroup(
        scope, "SecurityApiWebAclLogGroup", log_group_name=group_name, removal_policy=removal_policy(env)
    )
    cast(logs.CfnLogGroup, group.node.default_child).retention_in_days = env.log_retention_days
    arn = Stack.of(scope).format_arn(
        service="logs",
        resource="log-group",
        resource_name=group_name,
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    logging = wafv2.CfnLoggingConfiguration(
        scope,
        "SecurityApiWebAclLogging",
        resource_arn=acl.attr_arn,
        log_destination_configs=[arn],
        redacted_fields=[
            wafv2.CfnLoggingConfiguration.FieldToMatchProperty(
                single_header={"Name": header}  # the L1 type is a plain JSON object
            )
            for header in REDACTED_HEADERS
        ],
    )
    logging.node.add_dependency(group)
