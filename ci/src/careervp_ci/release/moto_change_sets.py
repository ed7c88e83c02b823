"""An upstream-style fix to moto 5.2.5 (the version uv.lock pins) so the emulator executes change sets the way
CloudFormation does; `install()` applies it when the project starts an emulator (`release/emulator.py`).

moto's `moto/cloudformation/models.py` `CloudFormationBackend.execute_change_set` calls `ChangeSet.apply`,
which runs `ResourceMap.update` (`moto/cloudformation/parsing.py`) on the stack. That creates the resources
to add in template order, ignoring `DependsOn`, whereas `ResourceMap.create` (direct `create_stack`) walks
`ResourceMap.__get_resources_in_dependency_order`. On the CDK template an `AWS::ApiGateway::Deployment`
comes before the methods it `DependsOn`, so executing its change set fails with "The REST API doesn't
contain any methods". `ChangeSet.apply` also leaves the stack's outputs as they were before the change set
(`Stack.update` rebuilds them, `apply` does not) and ignores the change set's tags and role (`RoleARN`), which
CloudFormation applies to the stack on execution (a change set without a role keeps the stack's: the
CreateChangeSet API reference, RoleARN).

The fix, as it would read upstream: `ResourceMap.build_resource_diff` lists added resources in dependency
order (their `DependsOn` first, the same walk as `__get_resources_in_dependency_order`), and `ChangeSet.apply`
does what `Stack.update` does: new template, resources, outputs, and the change set's tags and role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.cloudformation.models import ChangeSet
from moto.cloudformation.parsing import ResourceMap

UPSTREAM_DIFF: Callable[..., dict[str, Any]] = ResourceMap.build_resource_diff
UPSTREAM_APPLY: Callable[[ChangeSet], None] = ChangeSet.apply


def in_dependency_order(names: list[str], resources: dict[str, Any]) -> list[str]:
    """`names` with every resource after the ones among them it `DependsOn`; otherwise in template order."""
    wanted, ordered, seen = set(names), [], set()

    def visit(name: str) -> None:
        if name in seen or name not in wanted:
            return
        seen.add(name)
        depends = resources[name].get("DependsOn", [])
        for dependency in [depends] if isinstance(depends, str) else depends:
            visit(dependency)
        ordered.append(name)

    for name in names:
        visit(name)
    return ordered


def build_resource_diff(
    self: ResourceMap, other_template: dict[str, Any], parameters: dict[str, Any] | None = None
) -> dict[str, Any]:
    """moto's diff, with the resources to add in dependency order."""
    diff = UPSTREAM_DIFF(self, other_template, parameters)
    diff["Add"] = in_dependency_order(diff["Add"], other_template["Resources"])
    return diff


def apply(self: ChangeSet) -> None:
    """Execute the change set as `Stack.update` would update the stack: template, resources, outputs, and
    the change set's tags and role."""
    stack = self.stack
    stack.template = self.template
    stack._parse_template()
    stack.resource_map.update(self.template_dict, self.parameters)
    stack.output_map = stack._create_output_map()
    if self.tags is not None:
        stack.tags = self.tags
    if self.role_arn is not None:
        stack.role_arn = self.role_arn


def install() -> None:
    """Patch moto in this process (idempotent): every moto server it runs executes change sets fixed."""
    ResourceMap.build_resource_diff = build_resource_diff  # type: ignore[method-assign]
    ChangeSet.apply = apply  # type: ignore[method-assign]
