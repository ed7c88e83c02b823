"""Test users of a user pool: sign one up, sign in for an ID token, remove it. The integration tests, `serve`
and the release smoke (stage and prod) call the protected routes with such a token, on moto or on AWS.

Passwords are generated here and only ever handed to Cognito: callers must not print them.
"""

from __future__ import annotations

import secrets
from typing import Any


class SignInFailed(Exception):
    """Cognito did not hand out an ID token (a challenge, or no AuthenticationResult)."""


def new_password() -> str:
    """A throwaway password that meets the pool's policy (12+ characters, all four character classes)."""
    return f"{secrets.token_urlsafe(24)}aA1!"


def sign_up(cognito: Any, pool_id: str, client_id: str, email: str, password: str) -> None:
    """Register `email` through the app client as a user would, then confirm it as an administrator (no
    mailbox to read a code from)."""
    cognito.sign_up(
        ClientId=client_id,
        Username=email,
        Password=password,
        UserAttributes=[{"Name": "email", "Value": email}],
    )
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username=email)


def set_password(cognito: Any, pool_id: str, email: str, password: str) -> None:
    """A dedicated user (prod's smoke user): created once without an invitation, given `password` now."""
    try:
        cognito.admin_get_user(UserPoolId=pool_id, Username=email)
    except cognito.exceptions.UserNotFoundException:
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)


def id_token(cognito: Any, client_id: str, email: str, password: str) -> str:
    """Sign in with USER_PASSWORD_AUTH; the ID token API Gateway's authorizer accepts."""
    answer = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    result = answer.get("AuthenticationResult") or {}
    if "IdToken" not in result:
        raise SignInFailed(f"sign-in of {email} answered {answer.get('ChallengeName') or 'no token'}")
    return str(result["IdToken"])


def remove(cognito: Any, pool_id: str, email: str) -> None:
    """Delete a throwaway user (a stage smoke's) so the pool does not fill with them."""
    cognito.admin_delete_user(UserPoolId=pool_id, Username=email)
