"""The synthetic health check's probe: one GET of the deployed `/health`, judged as a client would judge it.

Pure of AWS: the scheduled function (`careervp.handlers.canary`) and the release smoke run this same probe,
so what the smoke proves about it holds for the function too.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from careervp.resources import SERVICE_NAME

TIMEOUT_SECONDS = 5.0
HEALTH_METRIC = "HealthCheckSucceeded"
"""1 when the probe found the service healthy, else 0 (namespace `careervp.resources.METRICS_NAMESPACE`)."""
LATENCY_METRIC = "HealthCheckLatencyMs"


@dataclass(frozen=True)
class ProbeResult:
    healthy: bool
    status: int | None
    """The HTTP status, None when no answer came."""
    latency_ms: float
    detail: str


def metric_dimensions(environment: str) -> dict[str, str]:
    """The dimensions the probe's metrics carry in Lambda, where Powertools adds `service` from
    POWERTOOLS_SERVICE_NAME; the alarm on them must name exactly these."""
    return {"environment": environment, "service": SERVICE_NAME}


def probe_health(url: str, *, timeout: float = TIMEOUT_SECONDS) -> ProbeResult:
    """GET `url`: healthy only on HTTP 200 with a JSON body whose `status` is `ok`."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"the health URL must be http(s), got {url!r}")
    request = urllib.request.Request(url, headers={"Accept": "application/json"}, method="GET")  # noqa: S310
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            status, payload = int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        status, payload = int(error.code), bytes(error.read())
    except (OSError, TimeoutError) as error:
        elapsed = (time.perf_counter() - started) * 1000
        return ProbeResult(False, None, elapsed, f"no answer: {type(error).__name__}: {error}")
    elapsed = (time.perf_counter() - started) * 1000
    return _judge(status, payload, elapsed)


def _judge(status: int, payload: bytes, latency_ms: float) -> ProbeResult:
    try:
        reported = json.loads(payload).get("status") if payload.strip() else None
    except (ValueError, AttributeError):
        return ProbeResult(False, status, latency_ms, f"HTTP {status}, body is not a JSON object")
    healthy = status == 200 and reported == "ok"
    return ProbeResult(healthy, status, latency_ms, f"HTTP {status}, status {reported!r}")
