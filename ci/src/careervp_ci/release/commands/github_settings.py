"""`github-settings`: the repository's branch ruleset and environments as code (.github/settings/):
check them against the workflows, push them, or regenerate their section of docs/workflows.md."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from careervp_ci.github import apply as github_apply
from careervp_ci.github import settings as github_settings
from careervp_ci.release.commands.options import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "github-settings", help="branch ruleset and environments as code (.github/settings/)"
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true", help="compare the settings with the workflows")
    action.add_argument("--apply", action="store_true", help="push them with the GitHub API ($GITHUB_TOKEN)")
    action.add_argument("--write-docs", action="store_true", help="regenerate docs/workflows.md's section")
    parser.add_argument("--src", default=".", help="the tree whose settings and workflows to read")
    parser.add_argument("--repo", help="OWNER/NAME for --apply (default: $GITHUB_REPOSITORY)")


def main(args: argparse.Namespace) -> int:
    """--check (exit 1 listing every disagreement), --apply, or --write-docs; a bad file is a UsageError."""
    src = Path(args.src)
    if args.check:
        problems = github_settings.check(src)
        for problem in problems:
            print(f"careervp-ci github-settings: {problem}", file=sys.stderr)
        if problems:
            return 1
        print(f"github settings in step with the workflows and {github_settings.DOCS}")
    elif args.write_docs:
        changed = github_settings.write_docs(src)
        print(f"{github_settings.DOCS}: {'regenerated' if changed else 'already up to date'}")
    else:
        client = github_apply.client_from_env(args.repo)
        for line in github_apply.apply(client, github_settings.load(src)):
            print(line)
    return 0
