"""What a function's new version must answer before CodeDeploy shifts any traffic to it.

The read-only smoke's checks that need no signed-in user, sent to the version itself rather than through
the API (whose alias still points at the old one): `GET` of every public read route (`/health`, as the
release smoke's "service reports healthy" check) and a CORS preflight of every route's resource, which
every function answers without a token (`careervp.envelope`). Each changes nothing, and each fails on a
version that cannot start (an import error, a missing variable, a broken package). Pure of AWS: the hook
(`careervp.handlers.pre_traffic`) passes the invoke.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from careervp.resources import FUNCTIONS, Function

Invoke = Callable[[str, dict[str, Any]], dict[str, Any]]
"""(version ARN, API Gateway proxy event) -> the proxy response the version returned."""


class PreTrafficConfigError(ValueError):
    """The hook's targets do not name the deployment group or the function it was asked about."""


@dataclass(frozen=True)
class Probe:
    method: str
    path: str
    expected: HTTPStatus


@dataclass(frozen=True)
class Target:
    """The function a deployment group deploys and the version it shifts traffic to."""

    function: Function
    version_arn: str


def probes(function: Function) -> tuple[Probe, ...]:
    """Every public GET route (200), then one preflight per route resource (204)."""
    reads = [
        Probe("GET", route.path, HTTPStatus.OK)
        for route in function.routes
        if function.public and route.method == "GET" and "{" not in route.path
    ]
    preflights = [
        Probe("OPTIONS", path, HTTPStatus.NO_CONTENT)
        for path in dict.fromkeys(route.path for route in function.routes)
    ]
    return (*reads, *preflights)


def proxy_event(probe: Probe) -> dict[str, Any]:
    """The API Gateway proxy event a request for `probe` becomes (no user: none of the probes needs one)."""
    return {
        "resource": probe.path,
        "path": probe.path,
        "httpMethod": probe.method,
        "headers": {"Accept": "application/json"},
        "multiValueHeaders": {"Accept": ["application/json"]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {"resourcePath": probe.path, "httpMethod": probe.method, "stage": "pre-traffic"},
        "body": None,
        "isBase64Encoded": False,
    }


def check_version(target: Target, invoke: Invoke) -> list[str]:
    """Every probe the version answered wrongly, as a line a person can act on (empty: it may serve)."""
    failures = []
    for probe in probes(target.function):
        response = invoke(target.version_arn, proxy_event(probe))
        status = response.get("statusCode")
        if status != probe.expected:
            failures.append(f"{probe.method} {probe.path}: expected {probe.expected.value}, got {status}")
    return failures


def target_for(deployment_group: str, targets_json: str) -> Target:
    """The target of `deployment_group` in the hook's targets (`ENV_VAR_PRE_TRAFFIC_TARGETS`)."""
    try:
        targets: Mapping[str, Any] = json.loads(targets_json)
        entry = targets[deployment_group]
        component, version_arn = str(entry["component"]), str(entry["version"])
    except (ValueError, KeyError, TypeError) as error:
        raise PreTrafficConfigError(
            f"the pre-traffic targets name no version for deployment group {deployment_group!r}"
        ) from error
    for function in FUNCTIONS:
        if function.component == component:
            return Target(function, version_arn)
    raise PreTrafficConfigError(f"deployment group {deployment_group!r} names unknown function {component!r}")
