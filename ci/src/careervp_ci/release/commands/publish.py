"""`publish`: copy an artifact built here into the store, healing a corrupt copy there."""

from __future__ import annotations

import argparse

from careervp_ci.release.artifact import Digest, parse_digest
from careervp_ci.release.commands.options import Subparsers, add_store
from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.errors import ReleaseRefused
from careervp_ci.release.scratch import scratch_dir


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("publish", help="copy an artifact built here into the store")
    parser.add_argument("--artifact", required=True)
    add_store(parser)


def main(release: ReleaseContext, args: argparse.Namespace) -> None:
    print(publish(release, args.artifact))


def publish(release: ReleaseContext, digest_text: str) -> Digest:
    """Copy the artifact from `<state>/artifacts` into the store."""
    digest = parse_digest(digest_text)
    if not release.store_uri:
        raise ReleaseRefused(
            "publish needs a store to publish to: --store URI or $CAREERVP_ARTIFACT_STORE "
            "(a folder or s3://bucket/prefix)"
        )
    with scratch_dir(release.state.work, "publish") as scratch:
        release.store.put(release.local_store.fetch(digest, scratch))
    return digest
