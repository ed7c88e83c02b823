"""`rollback`: go back to the digest that last passed in an environment before what runs there now, or to
`--to DIGEST` (which must have passed there), through the deploy's lock and checks (release.rollback)."""

from __future__ import annotations

import argparse

from careervp_ci.release.commands.options import Subparsers, add_store, print_deployed
from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.rollback import rollback


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "rollback", help="redeploy the last digest that passed in an environment before the current one"
    )
    parser.add_argument("--env", required=True)
    parser.add_argument(
        "--to", help="the digest to go back to (default: the last good one before the current)"
    )
    add_store(parser)
    parser.add_argument("--by", default="", help="who runs it, recorded (default: $GITHUB_ACTOR or the user)")


def main(release: ReleaseContext, args: argparse.Namespace) -> None:
    print_deployed(rollback(release, args.env, args.to, args.by))
