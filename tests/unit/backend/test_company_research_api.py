"""The company-research routes' refusals and reads, through the API's routing with moto (no network)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from careervp.resources import ENV_VAR_RESEARCH_TABLE


@pytest.mark.parametrize(
    ("body", "message_part"),
    [
        ({"company_name": "Acme", "website": "ftp://acme.example"}, "body.website"),
        ({"website": "https://acme.example"}, "body.company_name: Field required"),
        ({"company_name": "Acme", "website": "http:///nohost"}, "body.website"),
        ({"company_name": "Acme", "website": "http://" + "a" * 64}, "body.website"),
        ({"company_name": "Acme", "website": "http://\u001d\u00dd\u00e1"}, "body.website"),
        ({"company_name": " ", "website": "https://acme.example"}, "body.company_name"),
    ],
)
def test_a_request_breaking_the_contract_is_400_and_stores_nothing(
    call: Any, backend_env: dict[str, str], body: dict[str, str], message_part: str
) -> None:
    reply = call("POST", "/company-research", json_body=body)
    assert reply.status == 400
    assert message_part in reply.body["message"]
    assert boto3.client("dynamodb").scan(TableName=backend_env[ENV_VAR_RESEARCH_TABLE])["Count"] == 0


def test_a_site_research_may_not_fetch_is_422_and_stores_nothing(
    call: Any, backend_env: dict[str, str]
) -> None:
    reply = call(
        "POST", "/company-research", json_body={"company_name": "Acme", "website": "http://127.0.0.1:9/"}
    )
    assert reply.status == 422
    assert "resolves to a non-public address" in reply.body["message"]
    assert boto3.client("dynamodb").scan(TableName=backend_env[ENV_VAR_RESEARCH_TABLE])["Count"] == 0


def test_an_unknown_research_is_404_and_a_malformed_id_400(call: Any) -> None:
    assert call("GET", "/company-research/" + "a" * 32).status == 404
    assert call("GET", "/company-research/nope").status == 400
