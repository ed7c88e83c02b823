"""`strategy.matrix` as the runner expands it into one job per combination (the legs), and how their results
fold into the one result `needs.<job>.result` reads (the runner: src/Sdk/WorkflowParser/Conversion/
MatrixBuilder.cs). Read here: lists per key (every combination, in order) or an `include` list alone;
`exclude`, `include` beside keys, and a matrix from an expression are refused (docs/dagger.md, "What still
differs"). Settings-as-code reads the environments a matrix job runs in from the same legs."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from careervp_ci.github.workflows import WorkflowError


class MatrixError(WorkflowError):
    """A matrix this model does not expand: the message names the job and what to do."""


def legs(job: str, spec: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """Each leg's `matrix` context, in the runner's order; None for a job without a matrix."""
    matrix = (spec.get("strategy") or {}).get("matrix")
    if matrix is None:
        return None
    if not isinstance(matrix, dict):
        raise MatrixError(f"job {job!r}: a matrix from an expression is not rehearsed; list its values")
    if "exclude" in matrix:
        raise MatrixError(f"job {job!r}: matrix `exclude` is not rehearsed; list the legs under `include`")
    include = matrix.get("include")
    keys = {key: values for key, values in matrix.items() if key != "include"}
    if include is not None and keys:
        raise MatrixError(f"job {job!r}: `include` beside matrix keys is not rehearsed; use one or the other")
    if include is not None:
        return [dict(leg) for leg in include]
    for key, values in keys.items():
        if not isinstance(values, list) or not values:
            raise MatrixError(f"job {job!r}: matrix key {key!r} must be a non-empty list, got {values!r}")
    return [dict(zip(keys, combination, strict=True)) for combination in itertools.product(*keys.values())]


def label(job: str, leg: Mapping[str, Any]) -> str:
    """The leg's name as GitHub shows it: `job (value, value)` (Conversion/JobNameBuilder.cs; GitHub also
    cuts a name past 100 characters, which no job here reaches)."""
    return f"{job} ({', '.join(str(value) for value in leg.values())})"


def fail_fast(spec: Mapping[str, Any]) -> bool:
    """GitHub's default is true (Conversion/WorkflowTemplateConverter.cs, `fail-fast`): after a failed leg,
    the legs still running or queued are cancelled."""
    return (spec.get("strategy") or {}).get("fail-fast", True) is not False


def folded(results: Sequence[str]) -> str:
    """`needs.<job>.result` of a matrix job: failure if a leg failed, cancelled if one was, else success
    when a leg succeeded, else skipped."""
    for verdict in ("failure", "cancelled", "success"):
        if verdict in results:
            return verdict
    return "skipped"
