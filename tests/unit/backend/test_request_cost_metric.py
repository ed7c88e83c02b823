from __future__ import annotations

import json
from typing import Any

import pytest
from careervp.observability import PRICE_PER_GB_SECOND_USD, PRICE_PER_REQUEST_USD, estimated_request_cost_usd


def test_cost_estimate_is_memory_times_billed_duration_plus_the_request_charge() -> None:
    assert estimated_request_cost_usd(1000, 1024) == pytest.approx(
        PRICE_PER_GB_SECOND_USD + PRICE_PER_REQUEST_USD
    )
    assert estimated_request_cost_usd(0.2, 128) == estimated_request_cost_usd(1, 128)
    assert estimated_request_cost_usd(100, 512) > estimated_request_cost_usd(100, 256)


def test_every_request_emits_an_emf_cost_metric_for_its_function(
    call: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()

    call("GET", "/health")

    records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert len(records) == 1
    metric_names = {metric["Name"] for metric in records[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert {"EstimatedCostPerRequestMicroUsd", "BilledDurationMs"} <= metric_names
    assert records[0]["function"] == "health"
    [cost] = records[0]["EstimatedCostPerRequestMicroUsd"]
    assert cost >= estimated_request_cost_usd(1, 256) * 1_000_000


def test_refused_requests_are_costed_too(call: Any, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()

    reply = call("POST", "/kb/documents", body="x", headers={"Content-Type": "text/plain"})

    assert reply.status == 415
    assert "EstimatedCostPerRequestMicroUsd" in capsys.readouterr().out
