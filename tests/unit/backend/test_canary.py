"""The synthetic health check: its probe judges `/health` as a client would, and the scheduled handler
emits the metric the health alarm watches, with exactly the alarm's dimensions."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from careervp.canary import HEALTH_METRIC, LATENCY_METRIC, metric_dimensions, probe_health
from careervp.handlers import canary
from careervp.resources import ENV_VAR_ENVIRONMENT, ENV_VAR_HEALTH_URL, METRICS_NAMESPACE, SERVICE_NAME
from support.fixed_http import fixed_http


def test_probe_is_healthy_on_200_with_status_ok() -> None:
    with fixed_http(200, b'{"status": "ok", "version": "1"}') as url:
        result = probe_health(f"{url}/health")

    assert result.healthy
    assert result.status == 200
    assert result.latency_ms > 0


@pytest.mark.parametrize(
    ("status", "body", "detail"),
    [
        (503, b'{"status": "degraded"}', "HTTP 503, status 'degraded'"),
        (200, b'{"status": "degraded"}', "HTTP 200, status 'degraded'"),
        (200, b"<html>gateway</html>", "HTTP 200, body is not a JSON object"),
        (200, b"[1, 2]", "HTTP 200, body is not a JSON object"),
    ],
)
def test_probe_is_unhealthy_unless_the_service_says_ok(status: int, body: bytes, detail: str) -> None:
    with fixed_http(status, body) as url:
        result = probe_health(f"{url}/health")

    assert not result.healthy
    assert result.detail == detail


def test_probe_without_an_answer_is_unhealthy_with_no_status() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    result = probe_health(f"http://127.0.0.1:{port}/health", timeout=1)

    assert not result.healthy
    assert result.status is None
    assert result.detail.startswith("no answer: ")


def test_probe_refuses_a_url_that_is_not_http() -> None:
    with pytest.raises(ValueError, match="must be http"):
        probe_health("file:///etc/passwd")


def emitted_metrics(output: str) -> dict[str, dict[str, Any]]:
    """EMF documents printed by the handler, by metric name."""
    documents = [json.loads(line) for line in output.splitlines() if line.startswith('{"_aws"')]
    found = {}
    for document in documents:
        [directive] = document["_aws"]["CloudWatchMetrics"]
        [[*dimension_names]] = directive["Dimensions"]
        for metric in directive["Metrics"]:
            found[metric["Name"]] = {
                "namespace": directive["Namespace"],
                "dimensions": {name: document[name] for name in dimension_names},
                "value": document[metric["Name"]],
            }
    return found


@pytest.mark.parametrize(("body", "expected"), [(b'{"status": "ok"}', 1.0), (b'{"status": "x"}', 0.0)])
def test_handler_emits_the_metric_the_health_alarm_watches(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], body: bytes, expected: float
) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", SERVICE_NAME)  # as the deployed function's environment sets
    monkeypatch.setenv(ENV_VAR_ENVIRONMENT, "dev")
    with fixed_http(200, body) as url:
        monkeypatch.setenv(ENV_VAR_HEALTH_URL, f"{url}/health")
        returned = canary.handler({}, None)  # type: ignore[arg-type]

    metrics = emitted_metrics(capsys.readouterr().out)
    assert metrics[HEALTH_METRIC] == {
        "namespace": METRICS_NAMESPACE,
        "dimensions": metric_dimensions("dev"),
        "value": [expected],
    }
    assert metrics[LATENCY_METRIC]["dimensions"] == metric_dimensions("dev")
    assert returned["healthy"] is (expected == 1.0)


def test_handler_without_its_health_url_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR_HEALTH_URL, raising=False)
    with pytest.raises(RuntimeError, match=ENV_VAR_HEALTH_URL):
        canary.handler({}, None)  # type: ignore[arg-type]
