"""`coverage` holds each critical module to its own floor, and OpenAPI 3.1 specs are compared in 3.0 form."""

from __future__ import annotations

import json
from pathlib import Path

from careervp_ci.pipeline.steps.openapi import as_openapi_30
from support.fixture_project import CliRunner, write

UNTESTED_BRANCHES = '''\
"""Prices in cents."""


def total(prices: list[int]) -> int:
    return sum(prices)


def refund(amount: int) -> int:
    if amount < 0:
        raise ValueError(amount)
    if amount > 1000:
        return 1000
    return amount
'''


def test_a_critical_module_below_its_floor_fails_even_when_the_total_holds(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    write(fixture_tree, "src/backend/careervp/pricing.py", UNTESTED_BRANCHES)
    result = careervp_ci("coverage", cwd=fixture_tree)
    assert result.returncode == 1, result.stdout
    assert "1 critical module(s) below the 90% floor" in result.stdout
    assert "src/backend/careervp/pricing.py: 37.5% < 90% (critical module)" in result.stdout
    assert (fixture_tree / ".reports/coverage/coverage.xml").is_file()


def test_openapi_31_nullable_and_examples_become_their_30_spelling() -> None:
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "Page": {
                    "properties": {
                        "token": {"anyOf": [{"type": "string", "pattern": "^x$"}, {"type": "null"}]},
                        "code": {"type": "integer", "examples": [400]},
                        "kind": {"const": "page"},
                    }
                }
            }
        },
    }
    converted = json.loads(as_openapi_30(json.dumps(spec)))
    properties = converted["components"]["schemas"]["Page"]["properties"]
    assert converted["openapi"] == "3.0.3"
    assert properties["token"] == {"type": "string", "pattern": "^x$", "nullable": True}
    assert properties["code"] == {"type": "integer", "example": 400}
    assert properties["kind"] == {"enum": ["page"]}
