"""The per-resource review of a change set: for each resource change CloudFormation lists, its action, the
replacement verdict (CloudFormation's own when the description carries one, else derived from the type's
create-only properties: `replacement`), the properties that change (before -> after, from the live and the
new template), and what it widens (`widening`)."""

from __future__ import annotations

import json
from typing import Any, TypedDict

from careervp_ci.release.replacement import replacement
from careervp_ci.release.widening import widenings

STATEFUL = frozenset(
    {"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::S3::Bucket", "AWS::Cognito::UserPool"}
)
"""Types whose replacement loses data: replacing one needs the approval to name it (`--allow-replacement`)."""
SHOWN = 160
"""How much of a property value a review shows (the full change is in the change set's description)."""


class PropertyChange(TypedDict):
    name: str
    before: str
    after: str


class ResourceChange(TypedDict):
    id: str
    type: str
    action: str
    replacement: str
    """"True", "False", "Conditional", or "-" (an add or a removal replaces nothing)."""
    replacement_source: str
    """"cloudformation" (the change set said), "schema" (derived), or "" (not applicable)."""
    because: list[str]
    properties: list[PropertyChange]
    widens: list[str]


def _show(value: object) -> str:
    if value is None:
        return "(absent)"
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."


def _properties(resource: dict[str, Any] | None) -> dict[str, Any]:
    found: dict[str, Any] = (resource or {}).get("Properties", {})
    return found


def property_changes(before: dict[str, Any], after: dict[str, Any]) -> list[PropertyChange]:
    return [
        PropertyChange(name=name, before=_show(before.get(name)), after=_show(after.get(name)))
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    ]


def review_resources(
    changes: list[dict[str, Any]], old: dict[str, Any] | None, new: dict[str, Any], region: str
) -> list[ResourceChange]:
    """One review per resource change in the description (`Changes`), in logical-id order."""
    old_resources: dict[str, Any] = (old or {}).get("Resources", {})
    new_resources: dict[str, Any] = new.get("Resources", {})
    reviewed: list[ResourceChange] = []
    for change in changes:
        if change.get("Type", "Resource") != "Resource":
            continue
        detail = change["ResourceChange"]
        logical, kind, action = detail["LogicalResourceId"], detail["ResourceType"], detail["Action"]
        before = _properties(old_resources.get(logical)) if logical in old_resources else None
        after = _properties(new_resources.get(logical)) if logical in new_resources else None
        verdict, source, because = "-", "", []
        if action == "Modify":
            if detail.get("Replacement"):
                verdict, source = detail["Replacement"], "cloudformation"
            else:
                derived = replacement(kind, before or {}, after or {}, region)
                verdict, source, because = derived.replacement, "schema", list(derived.because)
        reviewed.append(
            ResourceChange(
                id=logical,
                type=kind,
                action=action,
                replacement=verdict,
                replacement_source=source,
                because=because,
                properties=property_changes(before or {}, after or {}),
                widens=widenings(kind, before, after),
            )
        )
    return sorted(reviewed, key=lambda item: item["id"])


def stateful_replacements(resources: list[ResourceChange]) -> list[str]:
    """The stateful resources the change replaces (or may replace): data would be lost."""
    return [
        r["id"] for r in resources if r["type"] in STATEFUL and r["replacement"] in ("True", "Conditional")
    ]
