"""`promote`: deploy the digest that passed in one environment (and still runs there) to the next."""

from __future__ import annotations

import argparse

from careervp_ci.release.commands.options import Subparsers, add_store, optional_path, print_deployed
from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.gate import promote


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "promote", help="deploy the digest that passed in one environment (and still runs there) to the next"
    )
    parser.add_argument("--from", dest="source", required=True)
    parser.add_argument("--to", dest="dest", required=True)
    add_store(parser)
    parser.add_argument("--approval")


def main(release: ReleaseContext, args: argparse.Namespace) -> None:
    print_deployed(promote(release, args.source, args.dest, approval=optional_path(args.approval)))
