"""`build`: build the release artifact once, into this machine's store and the given one (release.building);
prints its digest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from careervp_ci.release.building import build_artifact
from careervp_ci.release.commands.options import Subparsers, optional_path
from careervp_ci.release.context import ReleaseContext


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("build", help="build the release artifact once; prints sha256:<digest>")
    parser.add_argument("--out", help="also copy the artifact into this folder")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--ref", help="git ref to build, from a clean worktree (default: HEAD)")
    source.add_argument("--src", help="build this tree as it is (the manifest records uncommitted changes)")
    parser.add_argument(
        "--commit",
        help="the full commit id the tree is (its checkout's `git rev-parse HEAD`), recorded instead of "
        "asking git: a plain copy of a tree, or a machine without git; builds --src, or this repository's "
        "tree, as it is",
    )
    parser.add_argument(
        "--store",
        help="also put the artifact in this store (default: $CAREERVP_ARTIFACT_STORE; a corrupt copy there "
        "is replaced); it always goes to .careervp/artifacts",
    )


def main(release: ReleaseContext, args: argparse.Namespace) -> None:
    result = build_artifact(release, src=optional_path(args.src), ref=args.ref, commit=args.commit)
    if args.out:
        release.local_store.fetch(result.digest, Path(args.out))
    note = " (uncommitted changes included)" if result.dirty else ""
    where = f"; stored in {release.store.uri}" if release.store_uri else ""
    print(
        f"[release] built commit {result.commit[:12]}{note} in {result.seconds:.1f}s{where}",
        file=sys.stderr,
    )
    print(result.digest)
