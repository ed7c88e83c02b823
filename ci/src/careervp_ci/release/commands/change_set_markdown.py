"""`change-set-markdown`: print a change-set summary as Markdown (the job summary a reviewer reads)."""

from __future__ import annotations

import argparse
from pathlib import Path

from careervp_ci.release.approvals import ApprovalError, load_summary
from careervp_ci.release.commands.options import Subparsers
from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.errors import ReleaseRefused


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("change-set-markdown", help="print a change-set summary as Markdown")
    parser.add_argument("--summary", required=True)


def main(release: ReleaseContext, args: argparse.Namespace) -> None:
    try:
        summary = load_summary(Path(args.summary))
    except ApprovalError as error:
        # Here the file is the command's only input, so one that is no summary is bad usage (exit 2); to
        # `approve --summary` it is a refused approval (exit 1), as load_summary raises it.
        raise ReleaseRefused(str(error)) from error
    print(summary.markdown())
