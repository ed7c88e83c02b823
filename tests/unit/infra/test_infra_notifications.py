"""Notifications as synthesized: an encrypted TLS-only topic, the notifier subscribed to its email events,
allowed to send only as its environment's address, its own identity per environment, and the bounce alarm."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from careervp.notifications.delivery import EVENT_TYPE_ATTRIBUTE
from careervp.resources import ENV_VAR_NOTIFICATIONS_SENDER
from careervp_infra.environments import load_environments
from careervp_infra.notification_identity import sender_address, sender_domain
from support.synth import service_resources

ENVIRONMENTS = load_environments().stack_names


def notifier(assembly: Path, env: str) -> tuple[str, dict[str, Any]]:
    [(logical_id, properties)] = [
        (key, value)
        for key, value in service_resources(assembly, env, "AWS::Lambda::Function").items()
        if value["FunctionName"] == f"careervp-{env}-notifications-sender"
    ]
    return logical_id, properties


def events_topic(assembly: Path, env: str) -> tuple[str, dict[str, Any]]:
    [(logical_id, properties)] = [
        (key, value)
        for key, value in service_resources(assembly, env, "AWS::SNS::Topic").items()
        if value["TopicName"] == f"careervp-{env}-notifications-events"
    ]
    return logical_id, properties


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_events_topic_is_encrypted_and_refuses_plain_http(assembly: Path, env: str) -> None:
    topic_id, topic = events_topic(assembly, env)

    assert topic["KmsMasterKeyId"]["Fn::Join"][1][-1] == ":alias/aws/sns"
    policies = [
        policy
        for policy in service_resources(assembly, env, "AWS::SNS::TopicPolicy").values()
        if {"Ref": topic_id} in policy["Topics"]
    ]
    [statement] = [s for policy in policies for s in policy["PolicyDocument"]["Statement"]]
    assert (statement["Effect"], statement["Condition"]) == (
        "Deny",
        {"Bool": {"aws:SecureTransport": "false"}},
    )


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_notifier_receives_only_email_events_of_its_topic(assembly: Path, env: str) -> None:
    function_id, _ = notifier(assembly, env)
    topic_id, _ = events_topic(assembly, env)
    [subscription] = service_resources(assembly, env, "AWS::SNS::Subscription").values()

    assert subscription["Protocol"] == "lambda"
    assert subscription["TopicArn"] == {"Ref": topic_id}
    assert subscription["Endpoint"] == {"Fn::GetAtt": [function_id, "Arn"]}
    assert subscription["FilterPolicy"] == {EVENT_TYPE_ATTRIBUTE: ["email"]}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_notifier_may_send_only_as_its_environments_address(assembly: Path, env: str) -> None:
    _, properties = notifier(assembly, env)
    [(identity_id, identity)] = service_resources(assembly, env, "AWS::SES::EmailIdentity").items()
    role_id = properties["Role"]["Fn::GetAtt"][0]
    statements = [
        statement
        for policy in service_resources(assembly, env, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Roles"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]

    assert identity["EmailIdentity"] == sender_domain(env)
    assert properties["Environment"]["Variables"][ENV_VAR_NOTIFICATIONS_SENDER] == sender_address(env)
    [ses] = [statement for statement in statements if statement["Action"] == "ses:SendEmail"]
    assert ses["Condition"] == {"StringEquals": {"ses:FromAddress": sender_address(env)}}
    assert ses["Resource"]["Fn::Join"][1][-2:] == [":identity/", {"Ref": identity_id}]
    assert sorted(str(statement["Action"]) for statement in statements) == [
        "['logs:CreateLogStream', 'logs:PutLogEvents']",
        "ses:SendEmail",
        "sqs:SendMessage",
    ]
    [dead_letters] = [statement for statement in statements if statement["Action"] == "sqs:SendMessage"]
    assert dead_letters["Resource"] == properties["DeadLetterConfig"]["TargetArn"]


def test_the_bounce_rate_alarm_fires_at_the_rate_aws_starts_reviewing(assembly: Path) -> None:
    [alarm] = [
        alarm
        for alarm in service_resources(assembly, "prod", "AWS::CloudWatch::Alarm").values()
        if alarm["AlarmName"] == "careervp-prod-notifications-bounce-rate"
    ]

    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SES", "Reputation.BounceRate")
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanOrEqualToThreshold", 0.05)
    assert alarm["AlarmActions"] == [
        {
            "Ref": next(
                k
                for k in service_resources(assembly, "prod", "AWS::SNS::Topic")
                if k.startswith("ServiceAlerts")
            )
        }
    ]
