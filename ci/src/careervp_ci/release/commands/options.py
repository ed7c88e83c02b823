"""What several release commands share on their command line: the artifact store, optional paths, and the
lines a finished deploy prints."""

from __future__ import annotations

import argparse
from pathlib import Path

from careervp_ci.release.deploy import Deployed
from careervp_ci.release.store import STORE_ENV

type Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
STORE_HELP = (
    f"artifact store: a folder or s3://bucket/prefix (default: ${STORE_ENV}, else .careervp/artifacts)"
)


def add_store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", help=STORE_HELP)


def optional_path(value: str | None) -> Path | None:
    return Path(value) if value else None


def print_deployed(deployed: Deployed) -> None:
    print("\n".join(deployed.smoke))
    print(f"{deployed.env}: {deployed.digest} deployed, verified and smoke-tested")
