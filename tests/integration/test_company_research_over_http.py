"""Company research over real HTTP: the API against a moto server, researching a local stand-in website."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from careervp.research.fetch import MAX_PAGE_BYTES
from careervp.resources import ENV_VAR_RESEARCH_ALLOWED_HOSTS, ENV_VAR_RESEARCH_BUCKET
from careervp_local.fixture_site import COMPANY, PAGES, serve_fixture_site
from careervp_local.http_server import serve_locally


@pytest.fixture
def research_url(backend_env: dict[str, str]) -> Iterator[str]:
    """The API with company research allowed to fetch 127.0.0.1 (only), where the stand-in sites live."""
    with serve_locally({**backend_env, ENV_VAR_RESEARCH_ALLOWED_HOSTS: "127.0.0.1"}) as url:
        yield url


def post(base_url: str, website: str, token: str) -> tuple[int, Any]:
    data = json.dumps({"company_name": COMPANY, "website": website}).encode()
    headers = {"Content-Type": "application/json", "Authorization": token}
    request = urllib.request.Request(  # noqa: S310 (the local API)
        f"{base_url}/company-research", data=data, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_company_research_reads_the_site_honours_robots_and_stores_the_snapshot(
    research_url: str, backend_env: dict[str, str], http: Any, id_token: str
) -> None:
    with serve_fixture_site() as site:
        status, body = post(research_url, site, id_token)
    assert status == 201, body
    assert [page["url"] for page in body["pages"]] == [site, f"{site}/about"]
    assert body["skipped"] == [f"robots.txt of {site} disallows /private/board"]
    assert body["summary"] == "Fixture Robotics builds warehouse robots for small retailers."
    assert "warehouse" in body["keywords"]
    assert body["snapshot_key"] == f"research/snapshots/{body['research_id']}.json"
    snapshot = json.loads(
        boto3.client("s3")
        .get_object(Bucket=backend_env[ENV_VAR_RESEARCH_BUCKET], Key=body["snapshot_key"])["Body"]
        .read()
    )
    assert "never fetched" not in json.dumps(snapshot) and "never read" not in json.dumps(snapshot)
    assert "serviced by our own engineers" in snapshot["texts"][f"{site}/about"]
    read = http("GET", f"/company-research/{body['research_id']}")
    assert read.status == 200 and read.body == body


def test_a_home_page_over_the_size_limit_is_a_502_naming_the_limit(research_url: str, id_token: str) -> None:
    big = {
        "/robots.txt": PAGES["/robots.txt"],
        "/": (200, "text/html", "<p>" + "x" * MAX_PAGE_BYTES + "</p>"),
    }
    with serve_fixture_site(big) as site:
        status, body = post(research_url, site, id_token)
    assert status == 502
    assert f"larger than {MAX_PAGE_BYTES} bytes" in body["message"]


def test_a_site_whose_robots_txt_disallows_everything_is_refused(research_url: str, id_token: str) -> None:
    closed = {"/robots.txt": (200, "text/plain", "User-agent: *\nDisallow: /\n"), "/": PAGES["/"]}
    with serve_fixture_site(closed) as site:
        status, body = post(research_url, site, id_token)
    assert status == 422
    assert "disallows /" in body["message"]


def test_a_redirect_to_another_site_is_refused(research_url: str, id_token: str) -> None:
    with serve_fixture_site() as other:
        moved = {"/robots.txt": PAGES["/robots.txt"], "/": (302, "text/plain", f"{other}/")}
        with serve_fixture_site(moved) as site:
            status, body = post(research_url, site, id_token)
    assert status == 422
    assert f"redirects to another site ({other})" in body["message"]


@pytest.fixture
def open_research_url(backend_env: dict[str, str]) -> Iterator[str]:
    """The API as deployed: no allow-list, so research resolves each host and refuses non-public ones."""
    deployed = {name: value for name, value in backend_env.items() if name != ENV_VAR_RESEARCH_ALLOWED_HOSTS}
    with serve_locally(deployed) as url:
        yield url


@pytest.mark.slow
@pytest.mark.parametrize(
    ("website", "status", "message_part"),
    [
        pytest.param(
            "http://\u001d\u00dd\u00e1\u00ba\u00be\u0016r\u0089", 400, "body.website", id="unencodable"
        ),
        pytest.param("http://" + "a" * 64 + ".example", 400, "body.website", id="label-too-long"),
        pytest.param("http://a..example", 400, "body.website", id="empty-label"),
        pytest.param("http://acme.example:70000", 400, "body.website", id="port-out-of-range"),
        pytest.param("http://nowhere.invalid", 502, "cannot resolve nowhere.invalid", id="unresolvable"),
        pytest.param("http://localhost:9", 422, "resolves to a non-public address", id="loopback"),
    ],
)
def test_every_kind_of_bad_host_gets_an_answer_in_the_error_shape(
    open_research_url: str, id_token: str, website: str, status: int, message_part: str
) -> None:
    """The hosts that once dropped the connection (a name IDNA cannot encode) and their neighbours."""
    answered, body = post(open_research_url, website, id_token)
    assert (answered, body["statusCode"]) == (status, status), body
    assert message_part in body["message"]
