"""`coverage-baseline`: record a main run's coverage.xml in the store, the baseline nightly drift compares
a run's coverage with."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from careervp_ci.release import drift as drifts
from careervp_ci.release.commands.options import Subparsers, add_store
from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.errors import ReleaseRefused, doing
from careervp_ci.release.store import StoreError


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "coverage-baseline", help="record a main run's coverage.xml in the store (what drift compares with)"
    )
    parser.add_argument("--coverage", required=True, help="the coverage.xml of the main run")
    parser.add_argument("--commit", default="", help="the commit it measured (default: $GITHUB_SHA)")
    add_store(parser)


def main(release: ReleaseContext, args: argparse.Namespace) -> None:
    commit = args.commit or os.environ.get("GITHUB_SHA", "")
    print(coverage_baseline(release, Path(args.coverage), commit))


def coverage_baseline(release: ReleaseContext, coverage: Path, commit: str) -> str:
    try:
        with doing("could not write the coverage baseline", StoreError):
            record = drifts.write_baseline(release.store.backend, coverage, commit)
    except (OSError, KeyError, ValueError) as error:
        raise ReleaseRefused(f"--coverage {coverage}: not a coverage.xml report ({error})") from error
    return f"coverage baseline {record['percent']:.2f}% (commit {commit[:12] or '?'}) in {release.store.uri}"
