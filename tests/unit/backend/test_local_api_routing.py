from __future__ import annotations

import base64
import subprocess
import sys

import pytest
from careervp_local.http_server import RouteTable, proxy_event


@pytest.mark.parametrize(
    ("method", "path", "function", "parameters"),
    [
        ("GET", "/health", "health", {}),
        ("POST", "/kb/documents", "kb", {}),
        ("DELETE", "/kb/documents/abc", "kb", {"document_id": "abc"}),
        ("GET", "/gap-analysis/responses/r%201", "gap", {"response_id": "r 1"}),
        ("POST", "/webhooks/stripe", "billing", {}),
    ],
)
def test_each_route_reaches_the_function_that_owns_it(
    method: str, path: str, function: str, parameters: dict[str, str]
) -> None:
    match = RouteTable().match(path)

    assert match is not None
    assert method in {route.method for route in match.function.routes}
    assert match.function.component == function
    assert match.path_parameters == parameters


def test_a_path_routes_to_its_owner_whatever_the_method_and_an_unknown_path_to_none() -> None:
    routes = RouteTable()

    match = routes.match("/kb/documents")

    assert match is not None
    assert (match.function.component, match.route.path) == ("kb", "/kb/documents")
    assert routes.match("/nope") is None
    assert routes.match("/kb/documents/x/y") is None


def test_proxy_event_carries_query_headers_path_parameters_and_text_body() -> None:
    match = RouteTable().match("/kb/documents/abc")
    assert match is not None

    event = proxy_event("GET", "/kb/documents/abc?limit=2&a=1&a=2", {"X-Trace": "t"}, b"hi", match)

    assert event["resource"] == "/kb/documents/{document_id}"
    assert event["path"] == "/kb/documents/abc"
    assert event["pathParameters"] == {"document_id": "abc"}
    assert event["queryStringParameters"] == {"limit": "2", "a": "2"}
    assert event["multiValueQueryStringParameters"] == {"limit": ["2"], "a": ["1", "2"]}
    assert event["headers"] == {"X-Trace": "t"}
    assert (event["body"], event["isBase64Encoded"]) == ("hi", False)


def test_proxy_event_hands_the_authorizers_claims_to_the_function_as_api_gateway_does() -> None:
    match = RouteTable().match("/kb/documents")
    assert match is not None

    event = proxy_event("GET", "/kb/documents", {}, b"", match, claims={"sub": "user-1", "exp": "5"})
    public = proxy_event("GET", "/health", {}, b"", match)

    assert event["requestContext"]["authorizer"] == {"claims": {"sub": "user-1", "exp": "5"}}
    assert "authorizer" not in public["requestContext"]


def test_proxy_event_base64_encodes_a_binary_body() -> None:
    match = RouteTable().match("/kb/documents")
    assert match is not None

    event = proxy_event("POST", "/kb/documents", {}, b"\xff\xfe", match)

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\xfe"
    assert event["queryStringParameters"] is None


def test_warming_up_imports_every_handler_and_what_handlers_load_on_their_first_request() -> None:
    """In a fresh process (this one has imported most of them already), so the check can fail."""
    probe = (
        "import sys\n"
        "from careervp.resources import FUNCTIONS\n"
        "from careervp_local.http_server import FIRST_REQUEST_IMPORTS, warm_up\n"
        "wanted = [f.handler.rpartition('.')[0] for f in FUNCTIONS] + list(FIRST_REQUEST_IMPORTS)\n"
        "before = [m for m in wanted if m in sys.modules]\n"
        "warm_up()\n"
        "print(before, [m for m in wanted if m not in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[] []", done.stdout + done.stderr
