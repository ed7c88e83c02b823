"""What a function's new version must answer before CodeDeploy shifts any traffic to it.

The release's read-only smoke, as far as it can run before the API serves the version: each request goes to
the version itself (the API's alias still points at the old one), so API Gateway's token check, unchanged by
a new version, is left to the smoke after the deploy. Every read route of the function is read: a list
answers 200, an item nobody stored answers 404 (both reach the version's table or bucket with its own role
and configuration), and a signed-in route's request carries the claims the authorizer would pass. Every
route's resource answers a CORS preflight. Each changes nothing, and each fails on a version that cannot
start (an import error, a missing variable, a broken package, a role without its grant). Pure of AWS: the
hook (`careervp.handlers.pre_traffic`) passes the invoke.
"""

from __future__ import annotations

import json
import re
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
    resource: str
    """The route as declared (`/kb/documents/{document_id}`); the request fills each parameter with
    `ABSENT_ID`."""
    expected: HTTPStatus
    signed_in: bool

    @property
    def parameters(self) -> dict[str, str]:
        return dict.fromkeys(re.findall(r"\{([^}]+)\}", self.resource), ABSENT_ID)

    @property
    def path(self) -> str:
        return re.sub(r"\{[^}]+\}", ABSENT_ID, self.resource)


@dataclass(frozen=True)
class Target:
    """The function a deployment group deploys and the version it shifts traffic to."""

    function: Function
    version_arn: str


ABSENT_ID = "0" * 32
"""An item id no request ever stored: ids are 32 hex digits of a random UUID (`uuid4().hex`), whose version
digit is never 0. Reading it must answer 404, which reaches the version's table or bucket with its own role
and configuration."""
PROBE_SUBJECT = "pre-traffic-probe"
"""The `sub` claim of the hook's signed-in reads: a user no one signs in as."""


def probes(function: Function) -> tuple[Probe, ...]:
    """The read-only smoke's reads, as the version can answer them before any traffic: every GET route
    (200; an item route reads an absent item, 404), then one preflight per route resource (204)."""
    signed_in = not function.public
    reads = [
        Probe("GET", route.path, HTTPStatus.NOT_FOUND if "{" in route.path else HTTPStatus.OK, signed_in)
        for route in function.routes
        if route.method == "GET"
    ]
    preflights = [
        Probe("OPTIONS", path, HTTPStatus.NO_CONTENT, signed_in=False)
        for path in dict.fromkeys(route.path for route in function.routes)
    ]
    return (*reads, *preflights)


def proxy_event(probe: Probe) -> dict[str, Any]:
    """The API Gateway proxy event a request for `probe` becomes; a signed-in route's carries the claims
    its Cognito authorizer would pass (API Gateway checks the token; the version only sees the claims)."""
    context: dict[str, Any] = {
        "resourcePath": probe.resource,
        "httpMethod": probe.method,
        "stage": "pre-traffic",
    }
    if probe.signed_in:
        context["authorizer"] = {"claims": {"sub": PROBE_SUBJECT, "token_use": "id"}}
    return {
        "resource": probe.resource,
        "path": probe.path,
        "httpMethod": probe.method,
        "headers": {"Accept": "application/json"},
        "multiValueHeaders": {"Accept": ["application/json"]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": probe.parameters or None,
        "stageVariables": None,
        "requestContext": context,
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
