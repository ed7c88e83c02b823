from __future__ import annotations

from typing import Any

from careervp.resources import ENV_VAR_KB_TABLE


def test_health_reports_version_environment_and_every_dependency_ok(call: Any) -> None:
    reply = call("GET", "/health")

    assert reply.status == 200
    assert reply.body["status"] == "ok"
    assert reply.body["version"] == "1.2.3"
    assert reply.body["environment"] == "unit"
    assert {check["name"]: check["status"] for check in reply.body["checks"]} == {
        "table:kb-documents": "ok",
        "table:gap-responses": "ok",
        "table:billing-subscriptions": "ok",
        "table:interview-sessions": "ok",
        "table:research-results": "ok",
        "bucket:kb-documents": "ok",
        "bucket:interview-reports": "ok",
        "bucket:research-snapshots": "ok",
        "bucket:tailoring-cvs": "ok",
        "bucket:letters-cover-letters": "ok",
    }


def test_health_is_503_and_names_the_unreachable_table(call: Any, backend_env: dict[str, str]) -> None:
    env = {**backend_env, ENV_VAR_KB_TABLE: "careervp-unit-kb-missing"}

    reply = call("GET", "/health", env=env)

    assert reply.status == 503
    assert reply.body["status"] == "degraded"
    statuses = {check["name"]: check["status"] for check in reply.body["checks"]}
    assert statuses["table:kb-documents"] == "unreachable"
    assert statuses["bucket:kb-documents"] == "ok"


def test_health_names_a_dependency_whose_setting_is_missing(call: Any, backend_env: dict[str, str]) -> None:
    env = {name: value for name, value in backend_env.items() if name != ENV_VAR_KB_TABLE}

    reply = call("GET", "/health", env=env)

    assert reply.status == 503
    statuses = {check["name"]: check["status"] for check in reply.body["checks"]}
    assert statuses["table:kb-documents"] == "not_configured"
    assert statuses["table:gap-responses"] == "ok"


def test_health_is_readable_from_the_spas_origin_without_credentials(call: Any) -> None:
    reply = call("GET", "/health", headers={"Origin": "https://d111111abcdef8.cloudfront.net"})

    assert reply.status == 200
    assert reply.headers["access-control-allow-origin"] == ["*"]
    assert "access-control-allow-credentials" not in reply.headers
