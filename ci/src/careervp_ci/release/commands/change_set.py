"""`change-set`: create a CloudFormation change set of a digest on an environment's stack and write its review
(JSON, and Markdown beside it): the change set's ARN, per resource the action, replacement verdict, changed
properties and what widens access. Approves and executes nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from careervp_ci.release import gate
from careervp_ci.release.approvals import ChangeSummary
from careervp_ci.release.commands.options import Subparsers, add_store
from careervp_ci.release.context import ReleaseContext


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "change-set", help="create a change set for a digest and write its review (JSON and Markdown)"
    )
    parser.add_argument("--env", required=True)
    parser.add_argument("--artifact", required=True)
    add_store(parser)
    parser.add_argument(
        "--out", default="change-set.json", help="the JSON summary (default: change-set.json; Markdown: .md)"
    )


def main(release: ReleaseContext, args: argparse.Namespace) -> None:
    summary = gate.change_set(release, args.env, args.artifact)
    markdown = write_change_set(summary, Path(args.out))
    print(
        f"[release] change set written: {args.out} (sha256 {summary.sha256()}), {markdown}",
        file=sys.stderr,
    )
    print(summary.markdown())


def write_change_set(summary: ChangeSummary, out: Path) -> Path:
    """The JSON at `out` (what `approve --summary` takes) and its Markdown next to it; returns the latter."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(summary.text(), encoding="utf-8")
    markdown = out.with_suffix(".md")
    markdown.write_text(summary.markdown(), encoding="utf-8")
    return markdown
