"""Whether updating a resource replaces it, where the change set does not say (moto gives no `Replacement`).

CloudFormation replaces a resource when one of its create-only properties changes. Which properties those are
is the resource type's provider schema (`createOnlyProperties`, JSON pointers such as
`/properties/TableName`); cfn-lint ships those schemas (`cfnlint/data/schemas/providers/`, read through
`cfnlint.schema.PROVIDER_SCHEMA_MANAGER`), so no list of our own decides what is replaced.

The verdicts are CloudFormation's words: "True", "False", and "Conditional" when a changed create-only value
is an intrinsic (`Ref`, `Fn::...`) on either side, which may resolve to the same value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from careervp_infra.cloud_assembly import property_at

MISSING = object()


@dataclass(frozen=True)
class Verdict:
    replacement: str
    """"True", "False" or "Conditional"."""
    because: tuple[str, ...] = ()
    """The create-only properties that change (e.g. `TableName`)."""


def create_only(resource_type: str, region: str) -> list[tuple[str, ...]]:
    """The type's create-only properties as paths under `Properties` (empty for types without a schema).

    cfn-lint is imported on first use: loading it takes ~1 s of CPU, which every release command paid at
    start-up, though only a change-set review reads the schemas."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER, ResourceNotFoundError  # noqa: PLC0415

    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema
    except ResourceNotFoundError:  # a type without a provider schema (Custom::...) replaces nothing
        return []
    pointers: list[str] = schema.get("createOnlyProperties", [])
    return [tuple(pointer.split("/")[2:]) for pointer in pointers if pointer.startswith("/properties/")]


def _intrinsic(value: object) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)).startswith(("Ref", "Fn::"))


def replacement(
    resource_type: str, before: dict[str, Any], after: dict[str, Any], region: str = "us-east-1"
) -> Verdict:
    """The verdict for updating a resource of `resource_type` from properties `before` to `after`."""
    changed = [
        (path, property_at(before, path, MISSING), property_at(after, path, MISSING))
        for path in create_only(resource_type, region)
        if property_at(before, path, MISSING) != property_at(after, path, MISSING)
    ]
    if not changed:
        return Verdict("False")
    names = tuple("/".join(path) for path, _, _ in changed)
    if all(_intrinsic(old) or _intrinsic(new) for _, old, new in changed):
        return Verdict("Conditional", names)
    return Verdict("True", names)
