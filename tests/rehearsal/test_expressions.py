"""GitHub expressions as the runner evaluates them, and loud errors where the rehearsal would guess."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from careervp_ci.rehearsal.expressions import (
    ExpressionError,
    Status,
    condition,
    evaluate,
    interpolate,
    text_of,
)

CONTEXT: dict[str, Any] = {
    "inputs": {"environment": "prod"},
    "secrets": {"AWS_ROLE_PROD": "arn-prod", "AWS_ROLE_DEV": "arn-dev"},
    "github": {"event_name": "push"},
    "needs": {"build": {"result": "success"}},
}


def lookup(path: Sequence[str]) -> Any:
    value: Any = CONTEXT
    for key in path:
        if key not in value:
            raise ExpressionError(f"{'.'.join(path)} is not set")
        value = value[key]
    return value


def test_and_or_return_an_operand_and_short_circuit_unread_contexts() -> None:
    text = (
        "inputs.environment == 'prod' && secrets.AWS_ROLE_PROD"
        " || inputs.environment == 'staging' && secrets.UNSET || secrets.AWS_ROLE_DEV"
    )
    assert evaluate(text, lookup) == "arn-prod"


def test_strings_compare_case_insensitively() -> None:
    assert evaluate("github.event_name == 'PUSH'", lookup) is True


def test_if_without_a_status_function_implies_success() -> None:
    assert condition("github.event_name == 'push'", lookup, Status(failed=False))
    assert not condition("github.event_name == 'push'", lookup, Status(failed=True))
    assert condition("${{ failure() }}", lookup, Status(failed=True))


def test_not_cancelled_runs_after_a_skipped_need_but_success_does_not() -> None:
    skipped = Status(failed=False, incomplete=True)
    assert condition("!cancelled() && needs.build.result == 'success'", lookup, skipped)
    assert not condition("needs.build.result == 'success'", lookup, skipped)


def test_interpolation_keeps_text_around_expressions() -> None:
    assert interpolate("run-${{ github.event_name }}-x", lookup) == "run-push-x"


def test_an_unset_context_or_unknown_function_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(ExpressionError, match=r"secrets\.UNSET is not set"):
        evaluate("secrets.UNSET", lookup)
    with pytest.raises(ExpressionError, match=r"hashFiles\(\) is not rehearsed"):
        evaluate("hashFiles('x')", lookup)


def test_where_the_runner_wants_text_a_boolean_is_written_as_github_writes_it() -> None:
    """A job output `${{ a == 'x' || b }}` is the string `true`, never Python's `True`."""
    assert text_of("${{ github.event_name == 'push' }}", lookup) == "true"
    assert text_of("${{ github.event_name == 'pull' }}", lookup) == "false"
