"""`account apply`: deploy the account stack to a target like any stack (release/cloudformation.py), after
its checks pass; the outputs are the role ARNs to store as GitHub secrets and the store's URI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from careervp_infra.account.naming import STACK_NAME

from careervp_ci.errors import UsageError
from careervp_ci.release.cloudformation import StackFiles, deploy_stack, outputs
from careervp_ci.release.session import open_session
from careervp_ci.release.targets import TARGETS_ENV, Target


def require_lasting(target: Target) -> None:
    """An emulator this command would start and stop keeps nothing: refuse it before anything runs."""
    if target.ephemeral:
        raise UsageError(
            f"{target.name} is an emulator this command would start and stop, so the account stack "
            f"would vanish with it: bind {target.name} to a running emulator in a targets file "
            f'(${TARGETS_ENV}, [targets.{target.name}] endpoint = "http://localhost:PORT"), or pick an AWS '
            "environment"
        )


def apply(target: Target, assembly: Path, log: Callable[[str], None]) -> dict[str, str]:
    """Create or update `careervp-account-stack` on the target; returns its outputs."""
    require_lasting(target)
    files = StackFiles.find(assembly, STACK_NAME)
    with open_session(target) as session:
        stack = deploy_stack(files, session, log)
        return outputs(stack)
