"""Alerting for one environment: the alerts topic, each function's two alarms (and a model-spend alarm for
those that call the model), and the cost budget."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_budgets as budgets
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from careervp.observability import MODEL_COST_METRIC
from careervp.resources import METRICS_NAMESPACE, SERVICE_NAME, Function
from constructs import Construct

from careervp_infra.environments import Environment
from careervp_infra.naming import Service, physical_name

ALARM_PERIOD = Duration.minutes(5)
MODEL_SPEND_PERIOD = Duration.hours(1)
BUDGET_ALERT_PERCENTAGES = (80, 100)


def create_alerts_topic(scope: Construct, env: Environment) -> sns.Topic:
    """An encrypted, TLS-only topic that alarms and the budget publish to."""
    key = kms.Key(
        scope,
        "ServiceAlertsKey",
        description=f"Encrypts the CareerVP {env.name} alerts topic",
        enable_key_rotation=True,
    )
    for service in ("cloudwatch.amazonaws.com", "budgets.amazonaws.com"):
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(service)],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
            )
        )
    topic = sns.Topic(
        scope,
        "ServiceAlertsTopic",
        topic_name=physical_name(env.name, "service", "alerts", service=Service.SNS_TOPIC),
        master_key=key,
        enforce_ssl=True,
    )
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("budgets.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
        )
    )
    return topic


def create_function_alarms(
    scope: Construct, env: Environment, spec: Function, function: lambda_.Function, topic: sns.Topic
) -> tuple[cloudwatch.Alarm, cloudwatch.Alarm]:
    """The error-rate and p99-latency alarms every function must have (the synth check insists)."""
    base = f"{spec.component}-{spec.resource}"
    latency_ms = spec.p99_latency_ms or env.p99_latency_threshold_ms
    error_rate = cloudwatch.MathExpression(
        expression="IF(invocations > 0, 100 * errors / invocations, 0)",
        using_metrics={
            "errors": function.metric_errors(period=ALARM_PERIOD, statistic="Sum"),
            "invocations": function.metric_invocations(period=ALARM_PERIOD, statistic="Sum"),
        },
        label="Error rate (%)",
        period=ALARM_PERIOD,
    )
    error_alarm = cloudwatch.Alarm(
        function,
        "ErrorRateAlarm",
        alarm_name=physical_name(
            env.name, spec.component, f"{spec.resource}-error-rate", service=Service.CLOUDWATCH_ALARM
        ),
        alarm_description=f"{base}: more than {env.error_rate_threshold_percent}% of invocations failed",
        metric=error_rate,
        threshold=env.error_rate_threshold_percent,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    latency_alarm = cloudwatch.Alarm(
        function,
        "P99LatencyAlarm",
        alarm_name=physical_name(
            env.name, spec.component, f"{spec.resource}-p99-latency", service=Service.CLOUDWATCH_ALARM
        ),
        alarm_description=f"{base}: p99 duration above {latency_ms} ms",
        metric=function.metric_duration(period=ALARM_PERIOD, statistic="p99"),
        threshold=latency_ms,
        evaluation_periods=3,
        datapoints_to_alarm=2,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    for alarm in (error_alarm, latency_alarm):
        alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))
    return error_alarm, latency_alarm


def model_spend_threshold_usd(env: Environment) -> float:
    """A day's share of the month's budget: spending it on the model within one hour alarms."""
    return round(env.monthly_budget_usd / 30, 2)


def create_model_spend_alarm(
    scope: Construct, env: Environment, spec: Function, function: lambda_.Function, topic: sns.Topic
) -> cloudwatch.Alarm:
    """For a function that calls the model: what its calls cost in an hour (the reply's usage, priced;
    `careervp.observability.record_model_cost`) above a day's share of the environment's budget."""
    threshold_usd = model_spend_threshold_usd(env)
    alarm = cloudwatch.Alarm(
        function,
        "ModelSpendAlarm",
        alarm_name=physical_name(
            env.name, spec.component, f"{spec.resource}-model-spend", service=Service.CLOUDWATCH_ALARM
        ),
        alarm_description=f"{spec.component}-{spec.resource}: model calls cost over ${threshold_usd} in 1 h",
        metric=cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=MODEL_COST_METRIC,
            dimensions_map={"function": spec.component, "service": SERVICE_NAME},
            statistic="Sum",
            period=MODEL_SPEND_PERIOD,
        ),
        threshold=threshold_usd * 1_000_000,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))
    return alarm


def create_budget(scope: Construct, env: Environment, topic: sns.Topic) -> budgets.CfnBudget:
    """A monthly cost budget for the environment's tagged resources that alerts at 80% and 100%."""
    return budgets.CfnBudget(
        scope,
        "ServiceBudget",
        budget=budgets.CfnBudget.BudgetDataProperty(
            budget_name=physical_name(env.name, "service", "budget", service=Service.BUDGET),
            budget_type="COST",
            time_unit="MONTHLY",
            budget_limit=budgets.CfnBudget.SpendProperty(amount=env.monthly_budget_usd, unit="USD"),
            cost_filters={"TagKeyValue": [f"user:careervp:env${env.name}"]},
        ),
        notifications_with_subscribers=[
            budgets.CfnBudget.NotificationWithSubscribersProperty(
                notification=budgets.CfnBudget.NotificationProperty(
                    notification_type="FORECASTED" if percentage == 100 else "ACTUAL",
                    comparison_operator="GREATER_THAN",
                    threshold=percentage,
                    threshold_type="PERCENTAGE",
                ),
                subscribers=[
                    budgets.CfnBudget.SubscriberProperty(subscription_type="SNS", address=topic.topic_arn)
                ],
            )
            for percentage in BUDGET_ALERT_PERCENTAGES
        ],
    )
