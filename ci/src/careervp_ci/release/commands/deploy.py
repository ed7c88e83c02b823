"""`deploy`: deploy an artifact by digest, then verify and smoke it (release.deploy)."""

from __future__ import annotations

import argparse

from careervp_ci.release.commands.options import Subparsers, add_store, optional_path, print_deployed
from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.deploy import deploy


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("deploy", help="deploy an artifact by digest, then verify and smoke it")
    parser.add_argument("--env", required=True)
    parser.add_argument("--artifact", required=True)
    add_store(parser)
    parser.add_argument("--approval", help="a local approval file (default: the one in the store)")
    parser.add_argument("--ref", default="", help="the git ref label the artifact was built from (recorded)")
    parser.add_argument(
        "--hotfix",
        action="store_true",
        help="a hotfix whose ref passed the main bar (hotfix.yml): skip promote_from; recorded in the ledger",
    )


def main(release: ReleaseContext, args: argparse.Namespace) -> None:
    print_deployed(
        deploy(
            release,
            args.env,
            args.artifact,
            approval=optional_path(args.approval),
            ref=args.ref,
            road="hotfix" if args.hotfix else "deploy",
        )
    )
