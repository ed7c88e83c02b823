"""`publish`: copy an artifact built here into the store, healing a corrupt copy there (release.building)."""

from __future__ import annotations

import argparse

from careervp_ci.release.building import publish_artifact
from careervp_ci.release.commands.options import Subparsers, add_store
from careervp_ci.release.context import ReleaseContext


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("publish", help="copy an artifact built here into the store")
    parser.add_argument("--artifact", required=True)
    add_store(parser)


def main(release: ReleaseContext, args: argparse.Namespace) -> None:
    print(publish_artifact(release, args.artifact))
