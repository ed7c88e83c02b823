"""`admit-ref`: check that a git ref may be released to an environment (an approval-gated one takes main
or a `v*` tag), before any work is done on it."""

from __future__ import annotations

import argparse

from careervp_ci.release.commands.options import Subparsers
from careervp_ci.release.hotfix import admit_ref
from careervp_ci.release.service import Release


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "admit-ref", help="check that a git ref may be released to an environment (prod: main or a v* tag)"
    )
    parser.add_argument("--ref", required=True)
    parser.add_argument("--env", required=True)
    parser.add_argument("--override-ref", default="", metavar="REASON", help="as for hotfix")


def main(release: Release, args: argparse.Namespace) -> None:
    commit, note = admit_ref(release, args.ref, args.env, args.override_ref)
    print(f"{args.ref} ({commit}) may go to {args.env}{f'; {note}' if note else ''}")
