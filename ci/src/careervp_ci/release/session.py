"""boto3 bound to a deploy target, and what the target's live stack says it runs: the one place that knows
an emulator target from an AWS one when opening a session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from careervp.resources import STRIPE_WEBHOOK_SECRET, Secret
from careervp_infra.account.naming import execution_role_arn
from careervp_infra.environments import load_environments
from careervp_infra.naming import Service, physical_name

from careervp_ci.release import emulator
from careervp_ci.release.cloudformation import REVIEW, AwsSession, describe, stack_tags
from careervp_ci.release.errors import ReleaseFailed
from careervp_ci.release.smoke import SECRET_ENV
from careervp_ci.release.targets import Target


@dataclass(frozen=True)
class Live:
    """What a live stack says it runs (its tags)."""

    stack: dict[str, Any]
    digest: str
    commit: str
    ref: str
    run: str


def secret_name(target: Target, secret: Secret) -> str:
    return physical_name(target.stack_env, secret.component, secret.resource, service=Service.SECRET)


def webhook_secret_name(target: Target) -> str:
    return secret_name(target, STRIPE_WEBHOOK_SECRET)


@contextmanager
def open_session(target: Target, secrets: dict[str, str] | None = None) -> Iterator[AwsSession]:
    """boto3 bound to the target. With `secrets` (a deploy) an emulator is first bootstrapped like an
    AWS account (release.emulator); without, the session only reads."""
    if target.kind == "aws":
        session = AwsSession(region=target.region)
        session.resolve_account()
        yield session
        return
    with _endpoint(target) as endpoint:
        session = AwsSession(
            region=target.region,
            endpoint=endpoint,
            credentials=dict(emulator.EMULATOR_CREDENTIALS),
            account=emulator.EMULATOR_ACCOUNT,
        )
        if secrets is not None:
            emulator.bootstrap(session, [webhook_secret_name(target)], secrets[SECRET_ENV])
        yield session


def execution_role(target: Target, session: AwsSession) -> str:
    """The role CloudFormation acts as on the target's stack: the execution role the account stack made
    for the environment owning the stack, in the session's account. The same on an emulator: moto records
    it on the stack (describe_stacks' RoleARN) but neither requires the role to exist nor assumes it
    (moto/cloudformation/models.py `Stack.role_arn`), so what it may do is not verifiable there."""
    env = load_environments().get(target.stack_env)
    return execution_role_arn(env, account=session.resolve_account(), partition=session.partition())


def aws_env(session: AwsSession) -> dict[str, str]:
    """The environment a subprocess (the verifier, the local API) needs to reach what `session` reaches."""
    env = {"AWS_REGION": session.region, "AWS_DEFAULT_REGION": session.region, **session.credentials}
    if session.endpoint:
        env["AWS_ENDPOINT_URL"] = session.endpoint
    return env


def live(target: Target, session: AwsSession) -> Live:
    """What the target's stack runs, from its tags; ReleaseFailed when there is no stack or no tag."""
    stack = describe(session, target.stack_name)
    if stack is None or stack["StackStatus"] == REVIEW:
        raise ReleaseFailed(
            f"{target.describe()} has no stack {target.stack_name}; deploy one first "
            f"(careervp-ci deploy --env {target.name} --artifact sha256:...)"
        )
    tags = stack_tags(stack)
    if not tags.get("digest"):
        raise ReleaseFailed(
            f"{target.stack_name} carries no careervp:digest tag, so it does not say which artifact it "
            f"runs (deployed before stacks were tagged, or by hand); redeploy it with careervp-ci deploy"
        )
    return Live(stack, tags["digest"], tags.get("commit", ""), tags.get("ref", ""), tags.get("run", ""))


@contextmanager
def _endpoint(target: Target) -> Iterator[str]:
    """The emulator's URL: the configured one, or a moto server this command runs."""
    if target.endpoint:
        yield target.endpoint
        return
    with emulator.running_emulator() as endpoint:
        yield endpoint
