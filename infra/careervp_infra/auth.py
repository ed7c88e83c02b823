"""CareerVP's users: one Cognito user pool (sign-in by email) and one app client the API's authorizer
accepts ID tokens of (`careervp_infra.api`). The client has no secret (a browser or the smoke signs in) and
allows SRP and USER_PASSWORD_AUTH, which the release smoke signs its test user in with.

The emulator has no CloudFormation support for Cognito: `careervp_local.emulator.provision_user_pool` makes
the same pool there, by the same names.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cognito as cognito
from careervp.resources import USER_POOL
from constructs import Construct

from careervp_infra.data_stores import removal_policy
from careervp_infra.environments import Environment
from careervp_infra.naming import Service, physical_name

PASSWORD_MIN_LENGTH = 12
ID_TOKEN_VALIDITY = Duration.hours(1)


def user_pool_name(env: str) -> str:
    return physical_name(env, USER_POOL.component, USER_POOL.resource, service=Service.COGNITO_USER_POOL)


def user_pool_client_name(env: str) -> str:
    return physical_name(
        env, USER_POOL.component, f"{USER_POOL.resource}-client", service=Service.COGNITO_USER_POOL_CLIENT
    )


def create_user_pool(scope: Construct, env: Environment) -> tuple[cognito.UserPool, cognito.UserPoolClient]:
    """The pool (self sign-up, email verified, a strong password policy, optional TOTP) and its client."""
    pool = cognito.UserPool(
        scope,
        "UserPool",
        user_pool_name=user_pool_name(env.name),
        self_sign_up_enabled=True,
        sign_in_aliases=cognito.SignInAliases(email=True),
        auto_verify=cognito.AutoVerifiedAttrs(email=True),
        password_policy=cognito.PasswordPolicy(
            min_length=PASSWORD_MIN_LENGTH,
            require_lowercase=True,
            require_uppercase=True,
            require_digits=True,
            require_symbols=True,
        ),
        mfa=cognito.Mfa.OPTIONAL,
        mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
        account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
        deletion_protection=env.protected,
        removal_policy=removal_policy(env),
    )
    client = pool.add_client(
        "UserPoolClient",
        user_pool_client_name=user_pool_client_name(env.name),
        generate_secret=False,
        auth_flows=cognito.AuthFlow(user_srp=True, user_password=True),
        prevent_user_existence_errors=True,
        id_token_validity=ID_TOKEN_VALIDITY,
    )
    return pool, client
