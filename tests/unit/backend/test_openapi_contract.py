from __future__ import annotations

import json
from pathlib import Path

import pytest
from careervp.kb.models import ALLOWED_MEDIA_TYPES
from careervp.resources import FUNCTIONS
from careervp_local.openapi import build_document, drift, main, render
from openapi_spec_validator import validate

CONTRACT = Path(__file__).resolve().parents[3] / "docs" / "specs" / "openapi.json"


def test_committed_contract_matches_the_code() -> None:
    difference = drift(CONTRACT.read_text(encoding="utf-8"), render(build_document()), CONTRACT)

    assert not difference, (
        "docs/specs/openapi.json differs from the API the code serves:\n"
        f"{difference}\nIf the change is intended, regenerate it:\n"
        "uv run python -m careervp_local.openapi --write docs/specs/openapi.json"
    )


def test_contract_is_valid_openapi_and_documents_every_route_of_every_function() -> None:
    document = build_document()

    validate(document)
    documented = {
        (method.upper(), path) for path, operations in document["paths"].items() for method in operations
    }
    assert documented == {(route.method, route.path) for function in FUNCTIONS for route in function.routes}


def test_every_operation_but_the_public_functions_requires_the_cognito_id_token_and_may_answer_401() -> None:
    document = build_document()

    scheme = document["components"]["securitySchemes"]["CognitoIdToken"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    for function in FUNCTIONS:
        for route in function.routes:
            operation = document["paths"][route.path][route.method.lower()]
            if function.public:
                assert operation["security"] == [], route
            else:
                assert operation["security"] == [{"CognitoIdToken": []}], route
                assert operation["responses"]["401"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorResponse"
                }


def test_contract_promises_422_only_where_a_route_answers_it_in_the_error_shape() -> None:
    document = build_document()
    answering = {
        (method, path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "422" in operation["responses"]
    }

    assert answering == {
        ("post", "/company-research"),
        ("post", "/gap-analysis/responses"),
        ("post", "/interview-prep/responses"),
    }
    for method, path in answering:
        error = document["paths"][path][method]["responses"]["422"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/ErrorResponse"}
    assert "ValidationError" not in render(document)


def test_every_body_taking_route_documents_400_413_and_415() -> None:
    for path, operations in build_document()["paths"].items():
        for method, operation in operations.items():
            if method == "post":
                assert {"400", "413", "415"} <= set(operation["responses"]), f"{method} {path}"


def test_webhook_documents_its_signed_json_body_and_requires_the_signature_header() -> None:
    document = build_document()
    operation = document["paths"]["/webhooks/stripe"]["post"]

    body = operation["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/StripeEvent"}
    assert {"id", "type", "created", "data"} <= set(
        document["components"]["schemas"]["StripeEvent"]["required"]
    )
    [signature] = [p for p in operation["parameters"] if p["name"].lower() == "stripe-signature"]
    assert (signature["in"], signature["required"], signature["schema"]["type"]) == ("header", True, "string")


def test_document_media_types_are_an_enum_in_what_is_sent_and_what_is_returned() -> None:
    schemas = build_document()["components"]["schemas"]

    for model in ("DocumentUpload", "DocumentMetadata", "Document"):
        assert schemas[model]["properties"]["media_type"]["enum"] == sorted(ALLOWED_MEDIA_TYPES), model


def test_every_operation_documents_500_in_the_error_shape() -> None:
    """Any route may fail unexpectedly: `careervp.api` answers that 500 in the error shape, never a crash."""
    for path, operations in build_document()["paths"].items():
        for method, operation in operations.items():
            error = operation["responses"]["500"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorResponse"}, f"{method} {path}"


def test_check_fails_with_a_readable_diff_when_the_file_is_stale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "openapi.json"
    document = json.loads(render(build_document()))
    document["info"]["version"] = "0.0.1"
    stale.write_text(render(document), encoding="utf-8")

    assert main(["--check", str(stale)]) == 1

    output = capsys.readouterr().out
    assert '-    "version": "0.0.1"' in output
    assert "python -m careervp_local.openapi --write" in output


def test_write_then_check_round_trips(tmp_path: Path) -> None:
    target = tmp_path / "specs" / "openapi.json"

    assert main(["--write", str(target)]) == 0
    assert main(["--check", str(target)]) == 0
    assert target.read_text(encoding="utf-8").endswith("}\n")
