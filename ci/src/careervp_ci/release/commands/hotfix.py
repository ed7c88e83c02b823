"""`hotfix`: validate, build and deploy a git ref through the same gates as everything else
(release.hotfix)."""

from __future__ import annotations

import argparse

from careervp_ci.release.commands.options import Subparsers, add_store, optional_path, print_deployed
from careervp_ci.release.errors import ReleaseRefused
from careervp_ci.release.hotfix import Validation, hotfix
from careervp_ci.release.service import Release


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("hotfix", help="validate, build and deploy a git ref")
    parser.add_argument("--ref", required=True)
    parser.add_argument("--env", required=True)
    parser.add_argument(
        "--commit",
        help="this repository's tree already is the ref's checkout, at this full commit id: validate and "
        "build it in place (no git checkout; what the Dagger function does)",
    )
    add_store(parser)
    validation = parser.add_mutually_exclusive_group()
    validation.add_argument(
        "--profile",
        default="",
        help="validation profile run on the ref (default: main to an approval-gated env, e.g. prod; else pr)",
    )
    validation.add_argument(
        "--steps",
        help="validate with these comma-separated pipeline steps (and what they need) instead of a profile, "
        "for a fix whose wider bar ran elsewhere (e.g. lint,format)",
    )
    parser.add_argument("--approval")
    parser.add_argument(
        "--override-ref",
        default="",
        metavar="REASON",
        help="to an approval-gated env (prod): allow a ref that is neither on main nor a release tag; "
        "REASON is recorded in the ledger",
    )


def main(release: Release, args: argparse.Namespace) -> None:
    steps = tuple(step.strip() for step in (args.steps or "").split(",") if step.strip())
    if args.steps is not None and not steps:
        raise ReleaseRefused(f"hotfix --steps {args.steps!r} names no step; e.g. --steps lint,format")
    deployed = hotfix(
        release,
        args.ref,
        args.env,
        validation=Validation(profile=args.profile, steps=steps),
        approval=optional_path(args.approval),
        override=args.override_ref,
        checked_out=args.commit,
    )
    print_deployed(deployed)
