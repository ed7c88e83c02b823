"""`destroy`: delete an environment's stack, under its lock and recorded in the ledger; never a protected
environment, and only with its name given again."""

from __future__ import annotations

import argparse

from careervp_ci.release import attempts
from careervp_ci.release.cloudformation import DeployError, delete_stack, describe
from careervp_ci.release.commands.options import Subparsers, add_store
from careervp_ci.release.context import ReleaseContext, new_run
from careervp_ci.release.errors import ReleaseRefused, doing
from careervp_ci.release.ledger import Entry, now
from careervp_ci.release.locking import environment_lock
from careervp_ci.release.scratch import host
from careervp_ci.release.session import execution_role, open_session


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("destroy", help="delete an environment's stack (never prod)")
    parser.add_argument("--env", required=True)
    parser.add_argument("--confirm", required=True, help="the environment's name again")
    add_store(parser)


def main(release: ReleaseContext, args: argparse.Namespace) -> None:
    print(destroy(release, args.env, args.confirm))


def destroy(release: ReleaseContext, env: str, confirm: str) -> str:
    target = release.target_for(env)
    if target.protected:
        raise ReleaseRefused(f"destroy refuses {env} outright: it is a protected environment")
    if confirm != env:
        raise ReleaseRefused(
            f"destroy --env {env} needs --confirm {env} (got {confirm!r}); nothing was destroyed"
        )
    release.require_persistent(target, "destroy")
    release.require_credentials(target)
    run = new_run()
    with (
        environment_lock(release.store.backend, env, run=run, operation="destroy", log=release.log) as lock,
        open_session(target) as session,
    ):
        attempts.close_interrupted(release, target, lock)
        if describe(session, target.stack_name) is None:
            return f"{target.describe()} has no stack {target.stack_name}; nothing to destroy"
        with doing(f"destroy {env} failed", DeployError):
            delete_stack(session, target.stack_name, release.log, role_arn=execution_role(target, session))
        current = release.ledger.current(env)
        attempts.record(
            release,
            target,
            Entry(
                env=env,
                digest=current.digest if current else "",
                commit=current.commit if current else "",
                time=now(),
                outcome="destroyed",
                target=target.kind,
                run=run,
                host=host(),
            ),
        )
    return f"destroyed {target.stack_name} in {target.describe()}"
