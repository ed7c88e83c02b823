"""`approve`: approve a reviewed change-set summary (or one made now) for a digest and environment; the
approval lands in the store, citing the summary's sha256 and its change set. A replacement of a stateful
resource is approved only when named with `--allow-replacement`."""

from __future__ import annotations

import argparse

from careervp_ci.release import gate
from careervp_ci.release.commands.options import Subparsers, add_store, optional_path
from careervp_ci.release.context import ReleaseContext


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "approve", help="approve a reviewed change-set summary (--summary) or one made now, for a digest"
    )
    parser.add_argument("--env", required=True)
    parser.add_argument("--artifact", required=True)
    add_store(parser)
    parser.add_argument(
        "--summary", help="the reviewed `change-set` file; refused unless it still describes the change"
    )
    parser.add_argument("--approver", help="who approves (default: $CAREERVP_APPROVER or the user)")
    parser.add_argument(
        "--allow-replacement",
        action="append",
        default=[],
        metavar="LOGICAL_ID",
        help="approve replacing this stateful resource (table, bucket, user pool; its data is lost); "
        "repeatable",
    )


def main(release: ReleaseContext, args: argparse.Namespace) -> None:
    lines, where = gate.approve(
        release,
        args.env,
        args.artifact,
        optional_path(args.summary),
        args.approver,
        allow_replacement=args.allow_replacement,
    )
    print("\n".join([*lines, f"approval written: {where}"]))
