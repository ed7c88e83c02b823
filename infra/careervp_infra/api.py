"""The REST API of one environment: every route in `careervp.resources.FUNCTIONS`, to its function, and
every other method on a route's resource to the same function (`ANY`), which answers it. Every method of a
function that is not `public` (all but health and the Stripe webhook) is behind the Cognito authorizer:
without a valid ID token of the user pool's app client API Gateway answers 401, in the API's error shape
(naming the environment's SPA origin, so the SPA can read it). OPTIONS, a browser's CORS preflight, is
never behind the authorizer: browsers send it without a token."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from aws_cdk import Duration, Fn
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from careervp.resources import Function
from constructs import Construct

from careervp_infra.data_stores import removal_policy
from careervp_infra.environments import Environment
from careervp_infra.naming import Service, log_group_name, physical_name
from careervp_infra.scanner_reasons import explain

STAGE_NAME = "v1"


UNAUTHORIZED_BODY = '{"statusCode": 401, "message": $context.error.messageString}'
"""API Gateway's own 401 in the shape every other error of the API has (`careervp.envelope`)."""


PUBLIC_METHOD_REASON = (
    "Public by declaration (careervp.resources: Function.public): /health, and /webhooks/stripe, which "
    "authenticates each request by its Stripe signature inside the function; every other method is behind "
    "the Cognito authorizer (tests/unit/infra/test_infra_auth.py)."
)

PREFLIGHT_REASON = (
    "A CORS preflight: browsers send OPTIONS without the Authorization header (Fetch standard), so it cannot "
    "be behind the authorizer; the function answers it with the allowed origin, methods and headers only, "
    "never data (careervp.cors)."
)


def create_api(
    scope: Construct,
    env: Environment,
    functions: Mapping[Function, lambda_.IFunction],
    user_pool: cognito.IUserPool,
    spa_origin: str,
) -> apigateway.RestApi:
    """A regional REST API with JSON access logs, request validation and a Lambda proxy per route (to the
    function's alias where the environment shifts traffic: `careervp_infra.traffic`); its own 401 allows
    `spa_origin`, as the functions do."""
    name = physical_name(env.name, "service", "api", service=Service.REST_API)
    access_logs = logs.LogGroup(
        scope,
        "ServiceApiAccessLogGroup",
        log_group_name=log_group_name("/aws/apigateway/", f"{name}-access"),
        removal_policy=removal_policy(env),
    )
    cast(logs.CfnLogGroup, access_logs.node.default_child).retention_in_days = env.log_retention_days
    api = apigateway.RestApi(
        scope,
        "ServiceApi",
        rest_api_name=name,
        description=f"CareerVP API ({env.name})",
        endpoint_types=[apigateway.EndpointType.REGIONAL],
        cloud_watch_role=False,
        deploy_options=apigateway.StageOptions(
            stage_name=STAGE_NAME,
            access_log_destination=apigateway.LogGroupLogDestination(access_logs),
            access_log_format=apigateway.AccessLogFormat.json_with_standard_fields(
                caller=False,
                http_method=True,
                ip=True,
                protocol=True,
                request_time=True,
                resource_path=True,
                response_length=True,
                status=True,
                user=False,
            ),
            metrics_enabled=True,
            tracing_enabled=True,
        ),
    )
    explain(
        api.deployment_stage,
        "CKV_AWS_120",
        "No response cache: every personal route answers for the signed-in user, and a stage cache keyed "
        "without the token could hand one user's answer to another; the public /health must stay live.",
    )
    validator = api.add_request_validator(
        "RequestValidator", validate_request_body=True, validate_request_parameters=True
    )
    authorizer = apigateway.CognitoUserPoolsAuthorizer(
        scope, "ServiceApiAuthorizer", cognito_user_pools=[user_pool], results_cache_ttl=Duration.minutes(5)
    )
    api.add_gateway_response(
        "Unauthorized",
        type=apigateway.ResponseType.UNAUTHORIZED,
        status_code="401",
        templates={"application/json": UNAUTHORIZED_BODY},
        # a header's value is a quoted literal in API Gateway's mapping syntax: 'https://…'
        response_headers={
            "Access-Control-Allow-Origin": Fn.join("", ["'", spa_origin, "'"]),
            "Vary": "'Origin'",
        },
    )
    for spec, function in functions.items():
        integration = apigateway.LambdaIntegration(function, allow_test_invoke=False)
        guard: dict[str, Any] = (
            {}
            if spec.public
            else {"authorizer": authorizer, "authorization_type": apigateway.AuthorizationType.COGNITO}
        )
        methods = [
            api.root.resource_for_path(route.path).add_method(
                route.method, integration, request_validator=validator, **guard
            )
            for route in spec.routes
        ]
        for path in dict.fromkeys(route.path for route in spec.routes):
            # Every other method reaches the owning function too, which answers it (405 with Allow, OPTIONS,
            # HEAD as GET) exactly as the local server does: `careervp.envelope`.
            methods.append(api.root.resource_for_path(path).add_method("ANY", integration, **guard))
            # A browser's CORS preflight carries no token: the function answers it (`careervp.cors`).
            preflight = api.root.resource_for_path(path).add_method("OPTIONS", integration)
            explain(preflight, "CKV_AWS_59", PREFLIGHT_REASON)
        if spec.public:
            for method in methods:
                explain(method, "CKV_AWS_59", PUBLIC_METHOD_REASON)
    return api
