"""`careervp_local.emulator.provision` against a real moto server: what `serve --endpoint` and the test
fixtures rely on to create the resources an emulator lacks and keep those it has."""

from __future__ import annotations

import uuid

import boto3
import pytest
from careervp.resources import BUCKETS, ENV_VAR_USER_POOL_CLIENT_ID, ENV_VAR_USER_POOL_ID, TABLES
from careervp_local.emulator import provision, resource_env


def test_provision_keeps_existing_tables_past_the_first_page_of_list_tables(moto_endpoint: str) -> None:
    """ListTables answers at most 100 names a page: an emulator holding more (a long test session) must
    still be seen to hold the ones provision would create."""
    env = {**resource_env(f"page{uuid.uuid4().hex[:8]}"), "AWS_ENDPOINT_URL": moto_endpoint}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
        dynamodb = boto3.client("dynamodb")
        for index in range(101):
            dynamodb.create_table(
                TableName=f"filler-{uuid.uuid4().hex[:8]}-{index}",
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        assert provision(env) == len(TABLES) + len(BUCKETS) + 1  # and the user pool
        pool = (env[ENV_VAR_USER_POOL_ID], env[ENV_VAR_USER_POOL_CLIENT_ID])
        assert provision(env) == 0
        assert (env[ENV_VAR_USER_POOL_ID], env[ENV_VAR_USER_POOL_CLIENT_ID]) == pool
