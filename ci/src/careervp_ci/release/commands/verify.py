"""`verify`: compare the live stack with the artifact it says it runs (its digest tag), fetched from the
store with its bytes re-checked. Needs credentials and the store only."""

from __future__ import annotations

import argparse

from careervp_ci.release.artifact import parse_digest
from careervp_ci.release.commands.options import Subparsers, add_store
from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.errors import ReleaseFailed
from careervp_ci.release.session import aws_env, live, open_session
from careervp_ci.release.verify import run_verifier


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="compare the live stack with the artifact it says it runs "
        "(needs credentials and the store only)",
    )
    parser.add_argument("--env", required=True)
    add_store(parser)


def main(release: ReleaseContext, args: argparse.Namespace) -> None:
    print(verify(release, args.env))


def verify(release: ReleaseContext, env: str) -> str:
    target = release.target_for(env)
    release.require_persistent(target, "verify")
    release.require_credentials(target)
    with open_session(target) as session:
        running = live(target, session)
        release.log(
            f"{target.stack_name} runs {running.digest} (commit {running.commit[:12]}, run {running.run})"
        )
        with release.unpacked(parse_digest(running.digest), code=False) as (bundle, _):
            verdict = run_verifier(release.repo, target.stack_env, bundle / "assembly", aws_env(session))
    if not verdict.ok:
        raise ReleaseFailed(f"verify {env} ({running.digest}): {verdict.summary}\n{verdict.output[-2000:]}")
    return f"{env} runs {running.digest} (commit {running.commit[:12]}): verified\n{verdict.output}"
