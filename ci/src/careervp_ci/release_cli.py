"""The release commands of `careervp-ci`: build, publish, deploy, verify, smoke, promote, approve, hotfix,
destroy, ledger. `cli.py` calls `register` to add them and `dispatch` to run one.

Exit codes: 0 done; 1 a gate refused (tampered artifact, missing approval, busy environment) or a deploy,
verify or smoke failed; 2 bad usage or configuration (malformed digest, unknown environment or ref, missing
secret, wrong --confirm). Messages go to stderr and name the problem; results (a digest, the smoke lines)
go to stdout.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from careervp_ci.release.hotfix import hotfix
from careervp_ci.release.service import Release, ReleaseFailed, ReleaseRefused
from careervp_ci.release.state import StateDir
from careervp_ci.store import LocalStore

COMMANDS = (
    "build",
    "publish",
    "deploy",
    "verify",
    "smoke",
    "promote",
    "approve",
    "hotfix",
    "destroy",
    "ledger",
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the release commands to the `careervp-ci` parser."""
    build = subparsers.add_parser("build", help="build the release artifact once; prints sha256:<digest>")
    build.add_argument(
        "--out", help="also copy the artifact into this folder (it always goes to the local store)"
    )
    source = build.add_mutually_exclusive_group()
    source.add_argument("--ref", help="git ref to build, from a clean worktree (default: HEAD)")
    source.add_argument("--src", help="build this tree as it is (the manifest records uncommitted changes)")

    publish = subparsers.add_parser(
        "publish", help="copy an artifact into a store (folder or s3://bucket/prefix)"
    )
    publish.add_argument("--artifact", required=True)
    publish.add_argument("--store", required=True)

    deploy = subparsers.add_parser("deploy", help="deploy an artifact by digest, then verify and smoke it")
    deploy.add_argument("--env", required=True)
    deploy.add_argument("--artifact", required=True)
    deploy.add_argument("--store", help="artifact store (default: .careervp/artifacts)")
    deploy.add_argument("--approval", help="approval record (default: the one `approve` wrote)")

    for name, text in (("verify", "verify the deployed stack"), ("smoke", "run the smoke checks")):
        command = subparsers.add_parser(name, help=f"{text} of an environment")
        command.add_argument("--env", required=True)
        command.add_argument("--store", help="artifact store (default: .careervp/artifacts)")

    promote = subparsers.add_parser(
        "promote", help="deploy the digest that passed in one environment to the next"
    )
    promote.add_argument("--from", dest="source", required=True)
    promote.add_argument("--to", dest="dest", required=True)
    promote.add_argument("--store")
    promote.add_argument("--approval")

    approve = subparsers.add_parser("approve", help="write the change-set summary and approval for a digest")
    approve.add_argument("--env", required=True)
    approve.add_argument("--artifact", required=True)
    approve.add_argument("--store")

    hotfix = subparsers.add_parser("hotfix", help="validate, build and deploy a git ref")
    hotfix.add_argument("--ref", required=True)
    hotfix.add_argument("--env", required=True)
    hotfix.add_argument("--profile", default="pr", help="validation profile run on the ref (default: pr)")
    hotfix.add_argument("--approval")

    destroy = subparsers.add_parser("destroy", help="delete an environment's stack (never prod)")
    destroy.add_argument("--env", required=True)
    destroy.add_argument("--confirm", required=True, help="the environment's name again")

    ledger = subparsers.add_parser("ledger", help="show what was deployed where")
    ledger.add_argument("--env")


def dispatch(args: argparse.Namespace) -> int:
    """Run the release command `args.command`; returns the exit code."""
    release = Release(StateDir.from_env(), Path.cwd(), store_uri=getattr(args, "store", None))
    started = time.monotonic()
    try:
        _run(release, args)
    except ReleaseRefused as error:
        print(f"careervp-ci {args.command}: {error}", file=sys.stderr)
        return 2
    except ReleaseFailed as error:
        print(f"careervp-ci {args.command}: {error}", file=sys.stderr)
        return 1
    print(f"[release] {args.command} took {time.monotonic() - started:.1f}s", file=sys.stderr)
    return 0


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _run(release: Release, args: argparse.Namespace) -> None:
    if args.command == "build":
        result = release.build(src=_path(args.src), ref=args.ref)
        if args.out:
            LocalStore(release.state.root / "artifacts").fetch(result.digest, Path(args.out))
        note = " (uncommitted changes included)" if result.dirty else ""
        print(f"[release] built commit {result.commit[:12]}{note} in {result.seconds:.1f}s", file=sys.stderr)
        print(result.digest)
    elif args.command == "publish":
        print(release.publish(args.artifact, args.store))
    elif args.command in ("deploy", "promote", "hotfix"):
        if args.command == "deploy":
            deployed = release.deploy(args.env, args.artifact, approval=_path(args.approval))
        elif args.command == "promote":
            deployed = release.promote(args.source, args.dest, approval=_path(args.approval))
        else:
            deployed = hotfix(
                release, args.ref, args.env, profile=args.profile, approval=_path(args.approval)
            )
        print("\n".join(deployed.smoke))
        print(f"{deployed.env}: {deployed.digest} deployed, verified and smoke-tested")
    elif args.command == "verify":
        print(release.verify(args.env))
    elif args.command == "smoke":
        print("\n".join(release.smoke(args.env)))
    elif args.command == "approve":
        lines, path = release.approve(args.env, args.artifact)
        print("\n".join([*lines, f"approval written: {path}"]))
    elif args.command == "destroy":
        print(release.destroy(args.env, args.confirm))
    elif args.command == "ledger":
        for entry in release.ledger.entries(args.env):
            where = f"{entry.env:<10} {entry.target:<8}"
            print(
                f"{entry.time}  {where} {entry.digest}  {entry.commit[:12]}  {entry.outcome}  {entry.detail}"
            )
