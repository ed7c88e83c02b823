"""`journeys`: run the happy-path journeys over HTTP against an environment's deployed API
(careervp_ci.release.e2e_suite), as a signed-in smoke user."""

from __future__ import annotations

import argparse
from pathlib import Path

from careervp_ci.release.cloudformation import outputs
from careervp_ci.release.commands.options import Subparsers, add_store, optional_path
from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.errors import ReleaseFailed
from careervp_ci.release.served_api import served_api, smoke_user
from careervp_ci.release.session import live, open_session
from careervp_ci.release.smoke import SECRET_ENV


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "journeys", help="run the happy-path journeys over HTTP against an environment's deployed API"
    )
    parser.add_argument("--env", required=True)
    add_store(parser)
    parser.add_argument("--junit", help="also write the suite's JUnit XML here")


def main(release: ReleaseContext, args: argparse.Namespace) -> None:
    print("\n".join(journeys(release, args.env, optional_path(args.junit))))


def journeys(release: ReleaseContext, env: str, junit: Path | None = None) -> list[str]:
    from careervp_ci.release.e2e import run_suite  # noqa: PLC0415 (pytest: only this command needs it)

    target = release.target_for(env)
    release.require_persistent(target, "journeys")
    secret = release.require_secrets(target)[SECRET_ENV]
    with open_session(target) as session:
        running = live(target, session)
        release.log(f"journeys against {target.describe()}, which runs {running.digest}")
        stack_outputs = outputs(running.stack)
        commit = running.commit or "unknown"
        with (
            smoke_user(target, session, stack_outputs, release.log) as user,
            served_api(
                target, session, stack_outputs, secret, commit, log=release.log, pool=user.pool
            ) as url,
        ):
            result = run_suite(url, secret, user.id_token, junit)
    if not result.ok:
        raise ReleaseFailed(f"journeys {env} ({running.digest}) failed:\n" + "\n".join(result.lines))
    return result.lines
