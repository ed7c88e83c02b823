"""Notifications of one environment: the events topic (fan-out), the notifier that sends each event
through SES, the sending identity, and the bounce-rate alarm.

The alarm watches SES's account-wide `Reputation.BounceRate`: AWS reviews an account at 5% bounces and may
pause its sending at 10%, so alarming at 5% leaves time to act.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from careervp.notifications.delivery import EVENT_TYPE_ATTRIBUTE
from careervp.resources import ENV_VAR_NOTIFICATIONS_SENDER, NOTIFIER_FUNCTION
from constructs import Construct

from careervp_infra.environments import Environment
from careervp_infra.functions import create_function
from careervp_infra.monitoring import create_function_alarms
from careervp_infra.naming import Service, physical_name
from careervp_infra.notification_identity import sender_address, sender_domain

BOUNCE_RATE_ALARM = 0.05


def events_topic_name(env: str) -> str:
    return physical_name(env, "notifications", "events", service=Service.SNS_TOPIC)


def create_notifications(
    scope: Construct, env: Environment, code: lambda_.Code, alerts: sns.Topic
) -> sns.Topic:
    """The topic, the notifier subscribed to its email events, the identity it sends as, and the alarms."""
    topic = sns.Topic(
        scope,
        "NotificationsEventsTopic",
        topic_name=events_topic_name(env.name),
        master_key=kms.Alias.from_alias_name(scope, "NotificationsEventsKey", "alias/aws/sns"),
        enforce_ssl=True,
    )
    identity = ses.EmailIdentity(
        scope, "NotificationsSenderIdentity", identity=ses.Identity.domain(sender_domain(env.name))
    )
    notifier = create_function(scope, env, NOTIFIER_FUNCTION, code=code, tables={}, buckets={}, secrets={})
    sender = sender_address(env.name)
    notifier.add_environment(ENV_VAR_NOTIFICATIONS_SENDER, sender)
    notifier.add_to_role_policy(
        iam.PolicyStatement(
            actions=["ses:SendEmail"],
            resources=[
                Stack.of(scope).format_arn(
                    service="ses", resource="identity", resource_name=identity.email_identity_name
                )
            ],
            conditions={"StringEquals": {"ses:FromAddress": sender}},
        )
    )
    topic.add_subscription(
        subscriptions.LambdaSubscription(
            notifier,
            filter_policy={EVENT_TYPE_ATTRIBUTE: sns.SubscriptionFilter.string_filter(allowlist=["email"])},
        )
    )
    create_function_alarms(scope, env, NOTIFIER_FUNCTION, notifier, alerts)
    bounce = cloudwatch.Alarm(
        notifier,
        "BounceRateAlarm",
        alarm_name=physical_name(env.name, "notifications", "bounce-rate", service=Service.CLOUDWATCH_ALARM),
        alarm_description=f"careervp {env.name}: SES bounce rate at or above {BOUNCE_RATE_ALARM:.0%} "
        "(AWS reviews the account at 5%)",
        metric=cloudwatch.Metric(
            namespace="AWS/SES",
            metric_name="Reputation.BounceRate",
            statistic="Maximum",
            period=Duration.hours(1),
        ),
        threshold=BOUNCE_RATE_ALARM,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluation_periods=1,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    bounce.add_alarm_action(cloudwatch_actions.SnsAction(alerts))
    return topic
