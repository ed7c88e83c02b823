"""Who the smoke signs in as: a throwaway user, signed up and deleted afterwards, or on a target whose smoke
is read-only (prod) the one dedicated test user, whose password is reset and who is never signed up or
deleted, so such a smoke leaves the pool as it found it but for that password."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from careervp.resources import ENV_VAR_USER_POOL_CLIENT_ID, ENV_VAR_USER_POOL_ID
from careervp_ci.release.smoke_user import DEDICATED_USER, signed_in
from careervp_local import signin
from careervp_local.emulator import provision_user_pool
from moto import mock_aws


@pytest.fixture
def cognito() -> Any:
    with mock_aws():
        yield boto3.client("cognito-idp", region_name="us-east-1")


def usernames(cognito: Any, pool: dict[str, str]) -> list[str]:
    users = cognito.list_users(UserPoolId=pool[ENV_VAR_USER_POOL_ID])["Users"]
    return sorted(
        attribute["Value"]
        for user in users
        for attribute in user["Attributes"]
        if attribute["Name"] == "email"
    )


def test_a_full_smoke_signs_up_a_throwaway_user_and_deletes_it(cognito: Any) -> None:
    pool, _ = provision_user_pool("staging", cognito)
    with signed_in(pool, cognito, dedicated=False) as user:
        (during,) = usernames(cognito, pool)
        assert during.startswith("smoke-") and user.id_token
    assert usernames(cognito, pool) == []


def test_a_read_only_smoke_reuses_the_dedicated_user_and_signs_nobody_up(cognito: Any) -> None:
    pool, _ = provision_user_pool("prod", cognito)
    for _ in range(2):
        with signed_in(pool, cognito, dedicated=True) as user:
            assert user.id_token
        assert usernames(cognito, pool) == [DEDICATED_USER]


@pytest.mark.parametrize("dedicated", [False, True])
def test_the_smoke_user_carries_what_the_browser_signs_in_with_and_its_repr_shows_none_of_it(
    cognito: Any, dedicated: bool
) -> None:
    pool, _ = provision_user_pool("prod" if dedicated else "staging", cognito)
    with signed_in(pool, cognito, dedicated=dedicated) as user:
        assert signin.id_token(cognito, pool[ENV_VAR_USER_POOL_CLIENT_ID], user.email, user.password)
        assert user.password not in repr(user) and user.id_token not in repr(user)
