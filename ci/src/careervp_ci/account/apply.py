"""`account apply`: deploy the account's stacks to a target like any stack (release/cloudformation.py), the
account stack first; the outputs are the role ARNs to store as GitHub secrets and the store's URI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from careervp_infra.account.naming import STACK_NAME
from careervp_infra.cloud_assembly import stack_templates

from careervp_ci.errors import UsageError
from careervp_ci.release.cloudformation import StackFiles, deploy_stack, outputs
from careervp_ci.release.session import open_session
from careervp_ci.release.targets import TARGETS_ENV, Target


def require_lasting(target: Target) -> None:
    """An emulator this command would start and stop keeps nothing: refuse it before anything runs."""
    if target.ephemeral:
        raise UsageError(
            f"{target.name} is an emulator this command would start and stop, so the account's stacks "
            f"would vanish with it: bind {target.name} to a running emulator in a targets file "
            f'(${TARGETS_ENV}, [targets.{target.name}] endpoint = "http://localhost:PORT"), or pick an AWS '
            "environment"
        )


def stack_names(assembly: Path) -> list[str]:
    """The account's stacks in the order they deploy: the account stack (the provider) first."""
    names = [stack.stack_name for stack in stack_templates(assembly)]
    return sorted(names, key=lambda name: name != STACK_NAME)


def apply(target: Target, assembly: Path, log: Callable[[str], None]) -> dict[str, str]:
    """Create or update each of the account's stacks on the target; returns their outputs. CloudFormation
    acts as the caller (an administrator, docs/aws-setup.md): these stacks make the execution roles."""
    require_lasting(target)
    found: dict[str, str] = {}
    with open_session(target) as session:
        for name in stack_names(assembly):
            stack = deploy_stack(StackFiles.find(assembly, name), session, log, role_arn=None)
            found.update(outputs(stack))
    return found
