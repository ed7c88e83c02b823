"""The synth-time rule: every Lambda function has a retention-bound log group and both alarms.

It reads the synthesized template (what will actually be deployed), so it holds however a function was
built, including one added by hand without the helpers in `functions.py` and `monitoring.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FUNCTION_TYPE = "AWS::Lambda::Function"
LOG_GROUP_TYPE = "AWS::Logs::LogGroup"
ALARM_TYPE = "AWS::CloudWatch::Alarm"
ERROR_RATE = "error-rate alarm"
P99_LATENCY = "p99-latency alarm"


def observability_problems(template: Mapping[str, Any]) -> list[str]:
    """One message per function that lacks a log group with retention, an error-rate or a p99 alarm."""
    resources: Mapping[str, Any] = template.get("Resources", {})
    alarms = _alarm_kinds_by_function(resources)
    problems: list[str] = []
    for logical_id, resource in resources.items():
        if resource.get("Type") != FUNCTION_TYPE:
            continue
        problems.extend(f"{logical_id}: {issue}" for issue in _log_group_issues(resources, resource))
        missing = sorted({ERROR_RATE, P99_LATENCY} - alarms.get(logical_id, set()))
        problems.extend(
            f"{logical_id}: has no {kind} (add both via monitoring.create_function_alarms)"
            for kind in missing
        )
    return problems


def _log_group_issues(resources: Mapping[str, Any], function: Mapping[str, Any]) -> list[str]:
    reference = function.get("Properties", {}).get("LoggingConfig", {}).get("LogGroup")
    if not isinstance(reference, Mapping) or "Ref" not in reference:
        return ["has no explicit log group (set LoggingConfig.LogGroup to a log group in this stack)"]
    log_group = resources.get(reference["Ref"], {})
    if log_group.get("Type") != LOG_GROUP_TYPE:
        return [f"its log group {reference['Ref']} is not an AWS::Logs::LogGroup in this stack"]
    if "RetentionInDays" not in log_group.get("Properties", {}):
        return [f"its log group {reference['Ref']} keeps logs forever (set RetentionInDays)"]
    return []


def _alarm_kinds_by_function(resources: Mapping[str, Any]) -> dict[str, set[str]]:
    kinds: dict[str, set[str]] = {}
    for resource in resources.values():
        if resource.get("Type") != ALARM_TYPE:
            continue
        for function_id, metric_name, statistic in _metrics(resource.get("Properties", {})):
            if metric_name == "Errors":
                kinds.setdefault(function_id, set()).add(ERROR_RATE)
            elif metric_name == "Duration" and statistic == "p99":
                kinds.setdefault(function_id, set()).add(P99_LATENCY)
    return kinds


def _metrics(properties: Mapping[str, Any]) -> list[tuple[str, str, str | None]]:
    """(function logical id, metric name, statistic) for each Lambda metric the alarm watches."""
    metrics = [(properties, properties.get("ExtendedStatistic") or properties.get("Statistic"))]
    for query in properties.get("Metrics", []):
        stat = query.get("MetricStat", {})
        metrics.append((stat.get("Metric", {}), stat.get("Stat")))
    found = []
    for metric, statistic in metrics:
        for dimension in metric.get("Dimensions", []):
            value = dimension.get("Value")
            if dimension.get("Name") == "FunctionName" and isinstance(value, Mapping) and "Ref" in value:
                found.append((value["Ref"], metric.get("MetricName", ""), statistic))
    return found
