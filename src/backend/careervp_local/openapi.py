"""Generates the API contract, `docs/specs/openapi.json`, from the handlers' routes.

Each function has its own resolver; their OpenAPI documents are merged into one. The resolvers answer
request-validation failures with 400 (see `careervp.api`), so Powertools' default 422 entries are replaced
by the 400 every route declares. A signed body a route reads itself (`SIGNED_BODIES` of a handler module:
the webhook) is added as that operation's request body, with its signature header. Output is
deterministic: sorted keys, two-space indent, trailing newline.

    python -m careervp_local.openapi --write docs/specs/openapi.json
    python -m careervp_local.openapi --check docs/specs/openapi.json   # exit 1 with a diff when they differ
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from careervp.api import SignedJsonBody
from careervp.envelope import JSON_CONTENT_TYPE
from careervp.resources import FUNCTIONS, Function

from careervp_local.contract_links import add_links

TITLE = "CareerVP API"
API_VERSION = "1.5.0"
"""The contract's version: bump it with every change to the committed document."""
POWERTOOLS_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")
REF_TEMPLATE = "#/components/schemas/{model}"
SECURITY_SCHEME = "CognitoIdToken"
COGNITO_ID_TOKEN = {
    "type": "apiKey",
    "in": "header",
    "name": "Authorization",
    "description": "An ID token of the environment's Cognito user pool, issued to its app client (the "
    "stack's UserPoolId and UserPoolClientId outputs), the header's whole value; without a valid one, 401.",
    "x-amazon-apigateway-authtype": "cognito_user_pools",
}
"""What every operation of a non-public function (`careervp.resources.Function.public`) requires."""


class SchemaConflictError(ValueError):
    """Two functions define a component with the same name but different shapes."""


def _handler_module(handler_path: str) -> ModuleType:
    return importlib.import_module(handler_path.rpartition(".")[0])


def _resolver(module: ModuleType) -> APIGatewayRestResolver:
    app: APIGatewayRestResolver = module.app
    return app


def _function_document(app: APIGatewayRestResolver) -> dict[str, Any]:
    schema = app.get_openapi_schema(title=TITLE, version=API_VERSION)
    document: dict[str, Any] = schema.model_dump(mode="json", by_alias=True, exclude_none=True)
    return document


def _drop_unreturned_422(document: dict[str, Any]) -> None:
    """Powertools' own 422 (its validation error, which the resolvers answer 400); a route's declared 422
    in the error shape stays."""
    powertools_422 = REF_TEMPLATE.format(model="HTTPValidationError")
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if powertools_422 in json.dumps(responses.get("422", {})):
                del responses["422"]
    schemas = document.get("components", {}).get("schemas", {})
    for name in POWERTOOLS_VALIDATION_SCHEMAS:
        schemas.pop(name, None)


def _add_schemas(merged: dict[str, Any], schemas: dict[str, Any]) -> None:
    for name, schema in schemas.items():
        existing = merged["components"]["schemas"].setdefault(name, schema)
        if existing != schema:
            raise SchemaConflictError(f"schema {name!r} differs between functions; rename one of the models")


def _add_signed_body(merged: dict[str, Any], body: SignedJsonBody) -> None:
    schema = body.model.model_json_schema(ref_template=REF_TEMPLATE)
    _add_schemas(merged, {body.model.__name__: schema, **schema.pop("$defs", {})})
    operation = merged["paths"][body.path][body.method]
    operation["requestBody"] = {
        "description": body.description,
        "required": True,
        "content": {JSON_CONTENT_TYPE: {"schema": {"$ref": REF_TEMPLATE.format(model=body.model.__name__)}}},
    }
    operation.setdefault("parameters", []).append(
        {
            "name": body.signature_header,
            "in": "header",
            "required": True,
            "description": f"{body.signature_description}; missing or wrong: 401",
            "schema": {"type": "string", "minLength": 1},
        }
    )


def build_document() -> dict[str, Any]:
    merged: dict[str, Any] = {"openapi": "", "info": {}, "paths": {}, "components": {"schemas": {}}}
    for function in FUNCTIONS:
        module = _handler_module(function.handler)
        document = _function_document(_resolver(module))
        merged["openapi"] = document["openapi"]
        merged["info"] = document["info"]
        merged["paths"].update(document.get("paths", {}))
        _add_schemas(merged, document.get("components", {}).get("schemas", {}))
        for body in getattr(module, "SIGNED_BODIES", ()):
            _add_signed_body(merged, body)
        _add_security(merged, function)
    merged["components"]["securitySchemes"] = {SECURITY_SCHEME: COGNITO_ID_TOKEN}
    _drop_unreturned_422(merged)
    _add_unexpected_failure(merged)
    add_links(merged)
    return merged


def _error_entry(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {JSON_CONTENT_TYPE: {"schema": {"$ref": REF_TEMPLATE.format(model="ErrorResponse")}}},
    }


def _add_unexpected_failure(merged: dict[str, Any]) -> None:
    """Any operation may fail unexpectedly: `careervp.api.lambda_handler` answers that 500, in the error
    shape, rather than letting the function crash (API Gateway's bare 502)."""
    for operations in merged["paths"].values():
        for operation in operations.values():
            operation["responses"].setdefault("500", _error_entry("Internal Server Error"))


def _add_security(merged: dict[str, Any], function: Function) -> None:
    """A public function's operations need nothing; every other's the ID token, and may answer 401."""
    for path in dict.fromkeys(route.path for route in function.routes):
        for operation in merged["paths"][path].values():
            if function.public:
                operation["security"] = []
                continue
            operation["security"] = [{SECURITY_SCHEME: []}]
            operation["responses"].setdefault(
                "401", _error_entry("No valid ID token in the Authorization header")
            )


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def drift(committed: str, generated: str, path: Path) -> str:
    """A unified diff from the committed contract to the one the code generates ('' when equal)."""
    return "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            generated.splitlines(keepends=True),
            fromfile=f"{path} (committed)",
            tofile=f"{path} (generated from code)",
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m careervp_local.openapi", description=__doc__.splitlines()[0]
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", type=Path, metavar="PATH", help="write the generated contract to PATH")
    mode.add_argument(
        "--check", type=Path, metavar="PATH", help="fail when PATH differs from the generated contract"
    )
    args = parser.parse_args(argv)
    generated = render(build_document())
    if args.write is not None:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(generated, encoding="utf-8")
        print(f"wrote {args.write}")
        return 0
    path: Path = args.check
    committed = path.read_text(encoding="utf-8") if path.exists() else ""
    difference = drift(committed, generated, path)
    if difference:
        sys.stdout.write(difference)
        print(f"\n{path} is out of date; run: uv run python -m careervp_local.openapi --write {path}")
        return 1
    print(f"{path} matches the code")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
