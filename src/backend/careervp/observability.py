"""Structured logging and EMF metrics shared by every function, including the cost-per-request estimate and,
for functions that call the model, what each call cost."""

from __future__ import annotations

import math

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from careervp.resources import METRICS_NAMESPACE, SERVICE_NAME

logger = Logger(service=SERVICE_NAME)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)

PRICE_PER_GB_SECOND_USD = 0.0000166667
"""Lambda x86 compute price (us-east-1); arm64 is cheaper, so this errs on the high side."""
PRICE_PER_REQUEST_USD = 0.0000002
MODEL_COST_METRIC = "ModelCostMicroUsd"
"""What a model call cost by its reply's usage; `careervp_infra.monitoring`'s model-spend alarm watches it."""


def estimated_request_cost_usd(duration_ms: float, memory_mb: int) -> float:
    """Compute + request charge of one invocation, from its billed (1 ms granularity) duration and memory."""
    billed_ms = max(1, math.ceil(duration_ms))
    gb_seconds = (memory_mb / 1024) * (billed_ms / 1000)
    return gb_seconds * PRICE_PER_GB_SECOND_USD + PRICE_PER_REQUEST_USD


def record_request_cost(function: str, duration_ms: float, memory_mb: int) -> None:
    """Emit the billed duration and the estimated cost (in micro-USD, to keep the numbers readable)."""
    metrics.add_dimension(name="function", value=function)
    metrics.add_metric(
        name="BilledDurationMs", unit=MetricUnit.Milliseconds, value=max(1, math.ceil(duration_ms))
    )
    metrics.add_metric(
        name="EstimatedCostPerRequestMicroUsd",
        unit=MetricUnit.NoUnit,
        value=round(estimated_request_cost_usd(duration_ms, memory_mb) * 1_000_000, 6),
    )


def record_model_cost(input_tokens: int, output_tokens: int, cost_usd: float) -> None:
    """Emit one model call's tokens and what they cost (micro-USD, like the request's compute cost); the
    invocation's `function` dimension is added with the request cost when the handler finishes."""
    metrics.add_metric(name="ModelInputTokens", unit=MetricUnit.Count, value=input_tokens)
    metrics.add_metric(name="ModelOutputTokens", unit=MetricUnit.Count, value=output_tokens)
    metrics.add_metric(name=MODEL_COST_METRIC, unit=MetricUnit.NoUnit, value=round(cost_usd * 1_000_000, 6))
