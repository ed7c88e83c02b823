"""The synthesized user pool, its app client and the API's authorizer: every method of a personal function
is behind it, the public functions' are not, and the stack tells the release where the pool is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from careervp.resources import FUNCTIONS, USER_POOL
from careervp_infra.cloud_assembly import find_stack
from careervp_infra.environments import load_environments
from careervp_local.emulator import user_pool_names
from support.synth import service_resources

ENVIRONMENTS = load_environments().stack_names


def template(assembly: Path, env: str) -> dict[str, Any]:
    return find_stack(assembly, f"careervp-{env}-service-stack").load()


def method_paths(template: dict[str, Any]) -> dict[str, str]:
    """Every API resource's logical id -> its full path (`/kb/documents/{document_id}`)."""
    resources = {k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::ApiGateway::Resource"}

    def path(logical_id: str) -> str:
        properties = resources[logical_id]["Properties"]
        parent = properties["ParentId"]
        prefix = path(parent["Ref"]) if isinstance(parent, dict) and "Ref" in parent else ""
        return f"{prefix}/{properties['PathPart']}"

    return {logical_id: path(logical_id) for logical_id in resources}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_user_pool_signs_in_by_email_with_a_strong_password_policy(assembly: Path, env: str) -> None:
    [pool] = service_resources(assembly, env, "AWS::Cognito::UserPool").values()
    assert pool["UserPoolName"] == f"careervp-{env}-auth-users"
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 12,
        "RequireLowercase": True,
        "RequireUppercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
    }
    assert pool["DeletionProtection"] == ("ACTIVE" if load_environments().get(env).protected else "INACTIVE")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_app_client_has_no_secret_and_allows_password_sign_in(assembly: Path, env: str) -> None:
    [client] = service_resources(assembly, env, "AWS::Cognito::UserPoolClient").values()
    assert client["ClientName"] == f"careervp-{env}-auth-users-client"
    assert client["GenerateSecret"] is False
    assert user_pool_names(env) == (f"careervp-{env}-auth-users", client["ClientName"])  # the emulator's
    assert set(client["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_method_of_a_personal_function_needs_the_pools_token_and_public_ones_do_not(
    assembly: Path, env: str
) -> None:
    stack = template(assembly, env)
    [(authorizer_id, authorizer)] = service_resources(assembly, env, "AWS::ApiGateway::Authorizer").items()
    [pool_id] = service_resources(assembly, env, "AWS::Cognito::UserPool")
    assert authorizer["Type"] == "COGNITO_USER_POOLS"
    assert authorizer["ProviderARNs"] == [{"Fn::GetAtt": [pool_id, "Arn"]}]
    public = {route.path for function in FUNCTIONS if function.public for route in function.routes}
    paths = method_paths(stack)
    methods = service_resources(assembly, env, "AWS::ApiGateway::Method").values()
    guarded = {
        (paths[method["ResourceId"]["Ref"]], method["HttpMethod"]): method["AuthorizationType"]
        for method in methods
    }
    expected = {
        (route.path, method): "NONE" if route.path in public else "COGNITO_USER_POOLS"
        for function in FUNCTIONS
        for route in function.routes
        for method in (route.method, "ANY")
    }
    preflights = {(route.path, "OPTIONS"): "NONE" for function in FUNCTIONS for route in function.routes}
    assert guarded == expected | preflights
    for method in methods:
        if method["AuthorizationType"] == "COGNITO_USER_POOLS":
            assert method["AuthorizerId"] == {"Ref": authorizer_id}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_api_gateways_401_has_the_apis_error_shape(assembly: Path, env: str) -> None:
    [response] = service_resources(assembly, env, "AWS::ApiGateway::GatewayResponse").values()
    assert (response["ResponseType"], response["StatusCode"]) == ("UNAUTHORIZED", "401")
    assert "statusCode" in response["ResponseTemplates"]["application/json"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_stack_outputs_the_pool_and_client_ids_for_the_release(assembly: Path, env: str) -> None:
    outputs = template(assembly, env)["Outputs"]
    [pool_id] = service_resources(assembly, env, "AWS::Cognito::UserPool")
    [client_id] = service_resources(assembly, env, "AWS::Cognito::UserPoolClient")
    assert outputs[USER_POOL.pool_output]["Value"] == {"Ref": pool_id}
    assert outputs[USER_POOL.client_output]["Value"] == {"Ref": client_id}
