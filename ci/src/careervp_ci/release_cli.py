"""The release commands of `careervp-ci`: build, publish, deploy, verify, smoke, promote, change-set,
change-set-markdown, approve, hotfix, destroy, ledger. `cli.py` calls `register` to add them and
`dispatch` to run one.

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

import boto3

from careervp_ci.release.approvals import (
    ApprovalError,
    ChangeSummary,
    check_summary,
    load_summary,
    summarize,
    write_approval,
)
from careervp_ci.release.cloudformation import StackFiles, deployed_template
from careervp_ci.release.hotfix import Validation, hotfix
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
    "change-set",
    "change-set-markdown",
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

    change_set = subparsers.add_parser(
        "change-set", help="write the change-set summary for a digest (JSON and Markdown), approving nothing"
    )
    change_set.add_argument("--env", required=True)
    change_set.add_argument("--artifact", required=True)
    change_set.add_argument("--store")
    change_set.add_argument(
        "--out", default="change-set.json", help="the JSON summary (default: change-set.json; Markdown: .md)"
    )

    markdown = subparsers.add_parser("change-set-markdown", help="print a change-set summary as Markdown")
    markdown.add_argument("--summary", required=True)

    approve = subparsers.add_parser(
        "approve", help="approve a reviewed change-set summary (--summary) or one made now, for a digest"
    )
    approve.add_argument("--env", required=True)
    approve.add_argument("--artifact", required=True)
    approve.add_argument("--store")
    approve.add_argument(
        "--summary", help="the reviewed `change-set` file; refused unless it still describes the change"
    )
    approve.add_argument("--approver", help="who approves (default: $CAREERVP_APPROVER or the user)")

    hotfix = subparsers.add_parser("hotfix", help="validate, build and deploy a git ref")
    hotfix.add_argument("--ref", required=True)
    hotfix.add_argument("--env", required=True)
    validation = hotfix.add_mutually_exclusive_group()
    validation.add_argument("--profile", default="pr", help="validation profile run on the ref (default: pr)")
    validation.add_argument(
        "--steps",
        help="validate with these comma-separated pipeline steps (and what they need) instead of a profile, "
        "for a fix whose wider bar ran elsewhere (e.g. lint,format)",
    )
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


def compute_change_set(release: Release, env: str, artifact: str) -> ChangeSummary:
    """The artifact's template for env's stack against the live one, approving nothing.

    The computation `Release.approve` makes, with read access only: an AWS target needs credentials but
    not the deploy secrets, so the CI job that makes it holds a read-only role and no secret."""
    digest = release._digest(artifact)
    target = release.target_for(env)
    if target.kind == "aws":
        if boto3.session.Session().get_credentials() is None:
            raise ReleaseRefused(
                f"missing AWS credentials for {env}: the change set reads the live stack (a read-only role "
                "is enough: OIDC, AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
            )
        secrets: dict[str, str] = {}
    else:
        secrets = release._require_secrets(target)
    current = release.ledger.current(env)
    with release._unpacked(digest) as (bundle, _), release._session(target, secrets) as session:
        new = StackFiles.find(bundle / "assembly", target.stack_name).template_dict()
        old = deployed_template(session, target.stack_name)
    baseline = current.digest if current else ""
    return summarize(env, digest, target.stack_name, new=new, old=old, baseline=baseline)


def approve(
    release: Release, env: str, artifact: str, summary: Path | None, approver: str | None
) -> tuple[list[str], Path]:
    """Approve `summary` if it still describes the change (same env and digest, baseline current, not
    edited), or a summary made now; the approval record cites the summary's sha256."""
    fresh = compute_change_set(release, env, artifact)
    try:
        if summary is not None:
            check_summary(summary, load_summary(summary), fresh)
        return fresh.lines(), write_approval(release.state.approvals, fresh, approver)
    except ApprovalError as error:
        raise ReleaseFailed(str(error)) from None


def write_change_set(summary: ChangeSummary, out: Path) -> Path:
    """The JSON at `out` (what `approve --summary` takes) and its Markdown next to it; returns the latter."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(summary.text(), encoding="utf-8")
    markdown = out.with_suffix(".md")
    markdown.write_text(summary.markdown(), encoding="utf-8")
    return markdown


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
            steps = tuple(step.strip() for step in (args.steps or "").split(",") if step.strip())
            if args.steps is not None and not steps:
                raise ReleaseRefused(f"hotfix --steps {args.steps!r} names no step; e.g. --steps lint,format")
            validation = Validation(profile=args.profile, steps=steps)
            deployed = hotfix(
                release, args.ref, args.env, validation=validation, approval=_path(args.approval)
            )
        print("\n".join(deployed.smoke))
        print(f"{deployed.env}: {deployed.digest} deployed, verified and smoke-tested")
    elif args.command == "verify":
        print(release.verify(args.env))
    elif args.command == "smoke":
        print("\n".join(release.smoke(args.env)))
    elif args.command == "change-set":
        summary = compute_change_set(release, args.env, args.artifact)
        markdown = write_change_set(summary, Path(args.out))
        print(
            f"[release] change set written: {args.out} (sha256 {summary.sha256()}), {markdown}",
            file=sys.stderr,
        )
        print(summary.markdown())
    elif args.command == "change-set-markdown":
        try:
            print(load_summary(Path(args.summary)).markdown())
        except ApprovalError as error:
            raise ReleaseRefused(str(error)) from None
    elif args.command == "approve":
        lines, path = approve(release, args.env, args.artifact, _path(args.summary), args.approver)
        print("\n".join([*lines, f"approval written: {path}"]))
    elif args.command == "destroy":
        print(release.destroy(args.env, args.confirm))
    elif args.command == "ledger":
        for entry in release.ledger.entries(args.env):
            where = f"{entry.env:<10} {entry.target:<8}"
            print(
                f"{entry.time}  {where} {entry.digest}  {entry.commit[:12]}  {entry.outcome}  {entry.detail}"
            )
