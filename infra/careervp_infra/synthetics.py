"""The synthetic health check of one environment: a function that calls the API's `/health` every few
minutes, and the alarm on what it reports.

A scheduled Lambda rather than a CloudWatch Synthetics canary: it runs the release's own package (the probe
in `careervp.canary`, which the release smoke runs too), needs no browser runtime or artifact bucket, and
the emulator can create every resource it is made of.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from careervp.canary import HEALTH_METRIC, metric_dimensions
from careervp.resources import CANARY_FUNCTION, ENV_VAR_HEALTH_URL, METRICS_NAMESPACE
from constructs import Construct

from careervp_infra.environments import Environment
from careervp_infra.functions import create_function
from careervp_infra.monitoring import create_function_alarms
from careervp_infra.naming import Service, physical_name

SCHEDULE = Duration.minutes(5)
FAILED_PERIODS_TO_ALARM = 2
"""Two failed (or missing) probes in a row: one blip is not an incident, ten minutes down is."""


def create_health_canary(
    scope: Construct, env: Environment, code: lambda_.Code, api: apigateway.RestApi, topic: sns.Topic
) -> lambda_.Function:
    """The canary function (no data-store grants), its schedule, its own alarms and the health alarm."""
    function = create_function(scope, env, CANARY_FUNCTION, code=code, tables={}, buckets={}, secrets={})
    function.add_environment(ENV_VAR_HEALTH_URL, api.url_for_path("/health"))
    create_function_alarms(scope, env, CANARY_FUNCTION, function, topic)
    events.Rule(
        scope,
        "MonitoringCanarySchedule",
        rule_name=physical_name(env.name, "monitoring", "canary-schedule", service=Service.EVENTS_RULE),
        description=f"Runs the CareerVP {env.name} synthetic health check",
        schedule=events.Schedule.rate(SCHEDULE),
        targets=[targets.LambdaFunction(function, retry_attempts=0)],
    )
    alarm = cloudwatch.Alarm(
        function,
        "HealthCheckAlarm",
        alarm_name=physical_name(env.name, "monitoring", "health-check", service=Service.CLOUDWATCH_ALARM),
        alarm_description=f"careervp {env.name}: the synthetic health check failed or did not run "
        f"{FAILED_PERIODS_TO_ALARM} times in a row",
        metric=cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=HEALTH_METRIC,
            dimensions_map=metric_dimensions(env.name),
            statistic="Minimum",
            period=SCHEDULE,
        ),
        threshold=1,
        comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluation_periods=FAILED_PERIODS_TO_ALARM,
        datapoints_to_alarm=FAILED_PERIODS_TO_ALARM,
        treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
    )
    alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))
    return function
