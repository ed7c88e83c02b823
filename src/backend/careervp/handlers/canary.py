"""The scheduled synthetic health check: probe the deployed `/health`, emit the result as EMF metrics.

The `careervp-<env>-monitoring-health-check` alarm watches `HealthCheckSucceeded`; missing data breaches,
so a canary that stops running alarms as loudly as a failing service.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext

from careervp.canary import HEALTH_METRIC, LATENCY_METRIC, probe_health
from careervp.config import environment_name, required_env
from careervp.observability import logger
from careervp.resources import ENV_VAR_HEALTH_URL, METRICS_NAMESPACE


def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """One probe per scheduled event; the result is returned too, so a manual invoke shows it."""
    result = probe_health(required_env(ENV_VAR_HEALTH_URL))
    for name, unit, value in (
        (HEALTH_METRIC, MetricUnit.Count, 1.0 if result.healthy else 0.0),
        (LATENCY_METRIC, MetricUnit.Milliseconds, round(result.latency_ms, 1)),
    ):
        with single_metric(name=name, unit=unit, value=value, namespace=METRICS_NAMESPACE) as metric:
            metric.add_dimension(name="environment", value=environment_name())
    if result.healthy:
        logger.info("health check passed", extra={"detail": result.detail})
    else:
        logger.warning("health check failed", extra={"detail": result.detail})
    return asdict(result)
