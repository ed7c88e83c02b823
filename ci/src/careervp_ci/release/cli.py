"""The release commands of `careervp-ci`: build, publish, deploy, verify, smoke, promote, change-set,
change-set-markdown, approve, hotfix, destroy, ledger, evidence, admit-ref, emulator, and after a deploy
journeys and drift; github-settings (the repository's ruleset and environments). `host/cli.py` calls
`register` to add them and `dispatch` to run one.

Every command that reads or writes release state takes `--store URI` (default $CAREERVP_ARTIFACT_STORE,
else the local `.careervp/artifacts`): the ledger, approvals, locks and failure evidence live there.

Exit codes: 0 done; 1 a gate refused (tampered artifact or ledger, missing approval, busy environment,
source no longer live) or a deploy, verify or smoke failed; 2 bad usage or configuration (malformed
digest, unknown environment or ref, missing secret, partial AWS credentials, bad store URI, wrong
--confirm). Messages go to stderr
and name the problem; results (a digest, the smoke lines, the ledger) go to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

from careervp_ci.errors import CareervpError
from careervp_ci.github import apply as github_apply
from careervp_ci.github import settings as github_settings
from careervp_ci.release.approvals import ApprovalError, ChangeSummary, load_summary
from careervp_ci.release.credentials import refuse_partial_environment
from careervp_ci.release.drift import post_to_slack
from careervp_ci.release.emulator import serve_forever
from careervp_ci.release.hotfix import Validation, admit_ref, hotfix
from careervp_ci.release.service import Release, ReleaseFailed, ReleaseRefused
from careervp_ci.release.state import StateDir
from careervp_ci.release.store import STORE_ENV, store_uri

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
    "evidence",
    "admit-ref",
    "emulator",
    "journeys",
    "drift",
    "coverage-baseline",
    "github-settings",
)
AFTER_DEPLOY = ("journeys", "drift", "coverage-baseline")
STORE_HELP = (
    f"artifact store: a folder or s3://bucket/prefix (default: ${STORE_ENV}, else .careervp/artifacts)"
)


def _store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", help=STORE_HELP)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the release commands to the `careervp-ci` parser."""
    build = subparsers.add_parser("build", help="build the release artifact once; prints sha256:<digest>")
    build.add_argument("--out", help="also copy the artifact into this folder")
    source = build.add_mutually_exclusive_group()
    source.add_argument("--ref", help="git ref to build, from a clean worktree (default: HEAD)")
    source.add_argument("--src", help="build this tree as it is (the manifest records uncommitted changes)")
    build.add_argument(
        "--commit",
        help="the full commit id the tree is (its checkout's `git rev-parse HEAD`), recorded instead of "
        "asking git: a plain copy of a tree, or a machine without git; builds --src, or this repository's "
        "tree, as it is",
    )
    build.add_argument(
        "--store",
        help="also put the artifact in this store (default: $CAREERVP_ARTIFACT_STORE; a corrupt copy there "
        "is replaced); it always goes to .careervp/artifacts",
    )

    publish = subparsers.add_parser("publish", help="copy an artifact built here into the store")
    publish.add_argument("--artifact", required=True)
    _store(publish)

    deploy = subparsers.add_parser("deploy", help="deploy an artifact by digest, then verify and smoke it")
    deploy.add_argument("--env", required=True)
    deploy.add_argument("--artifact", required=True)
    _store(deploy)
    deploy.add_argument("--approval", help="a local approval file (default: the one in the store)")
    deploy.add_argument("--ref", default="", help="the git ref label the artifact was built from (recorded)")

    for name, text in (
        ("verify", "compare the live stack with the artifact it says it runs"),
        ("smoke", "run the smoke checks against the live stack"),
    ):
        command = subparsers.add_parser(name, help=f"{text} (needs credentials and the store only)")
        command.add_argument("--env", required=True)
        _store(command)
        if name == "smoke":
            command.add_argument("--phase", help="only this phase's checks (careervp-ci steps lists phases)")

    promote = subparsers.add_parser(
        "promote", help="deploy the digest that passed in one environment (and still runs there) to the next"
    )
    promote.add_argument("--from", dest="source", required=True)
    promote.add_argument("--to", dest="dest", required=True)
    _store(promote)
    promote.add_argument("--approval")

    _register_gate_and_history(subparsers)


def _register_gate_and_history(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The prod gate (change-set, approve), hotfix, destroy, the ledger and the emulator."""
    change_set = subparsers.add_parser(
        "change-set", help="write the change-set summary for a digest (JSON and Markdown), approving nothing"
    )
    change_set.add_argument("--env", required=True)
    change_set.add_argument("--artifact", required=True)
    _store(change_set)
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
    _store(approve)
    approve.add_argument(
        "--summary", help="the reviewed `change-set` file; refused unless it still describes the change"
    )
    approve.add_argument("--approver", help="who approves (default: $CAREERVP_APPROVER or the user)")

    hotfix = subparsers.add_parser("hotfix", help="validate, build and deploy a git ref")
    hotfix.add_argument("--ref", required=True)
    hotfix.add_argument("--env", required=True)
    hotfix.add_argument(
        "--commit",
        help="this repository's tree already is the ref's checkout, at this full commit id: validate and "
        "build it in place (no git checkout; what the Dagger function does)",
    )
    _store(hotfix)
    validation = hotfix.add_mutually_exclusive_group()
    validation.add_argument("--profile", default="pr", help="validation profile run on the ref (default: pr)")
    validation.add_argument(
        "--steps",
        help="validate with these comma-separated pipeline steps (and what they need) instead of a profile, "
        "for a fix whose wider bar ran elsewhere (e.g. lint,format)",
    )
    hotfix.add_argument("--approval")
    hotfix.add_argument(
        "--override-ref",
        default="",
        metavar="REASON",
        help="to an approval-gated env (prod): allow a ref that is neither on main nor a release tag; "
        "REASON is recorded in the ledger",
    )

    destroy = subparsers.add_parser("destroy", help="delete an environment's stack (never prod)")
    destroy.add_argument("--env", required=True)
    destroy.add_argument("--confirm", required=True, help="the environment's name again")
    _store(destroy)

    ledger = subparsers.add_parser("ledger", help="show the release history kept in the store")
    ledger.add_argument("--env")
    _store(ledger)
    ledger.add_argument("--json", action="store_true", help="print the records as JSON")

    evidence = subparsers.add_parser(
        "evidence",
        help="copy a failed deploy's evidence (events, assembly, log) from the store into a folder",
    )
    evidence.add_argument("--env", required=True)
    evidence.add_argument("--run", help="the run whose evidence to copy (default: the latest with evidence)")
    evidence.add_argument("--out", required=True, help="the folder to copy it into")
    _store(evidence)

    admit = subparsers.add_parser(
        "admit-ref", help="check that a git ref may be released to an environment (prod: main or a v* tag)"
    )
    admit.add_argument("--ref", required=True)
    admit.add_argument("--env", required=True)
    admit.add_argument("--override-ref", default="", metavar="REASON", help="as for hotfix")

    emulator = subparsers.add_parser(
        "emulator", help="run the AWS emulator (moto) in the foreground, for targets with endpoint=..."
    )
    emulator.add_argument("--port", type=int, required=True, help="port on 127.0.0.1 (0: any free port)")

    _register_after_deploy(subparsers)


def _register_after_deploy(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """journeys and drift (read a deployed environment) and github-settings (the repository's settings)."""
    journeys = subparsers.add_parser(
        "journeys", help="run the happy-path journeys over HTTP against an environment's deployed API"
    )
    journeys.add_argument("--env", required=True)
    _store(journeys)
    journeys.add_argument("--junit", help="also write the suite's JUnit XML here")

    drift = subparsers.add_parser(
        "drift",
        help="compare a deployed environment with what it should run: stack, API contract, coverage, cost",
    )
    drift.add_argument("--env", required=True)
    _store(drift)
    drift.add_argument(
        "--coverage", help="this run's coverage.xml, compared with main's baseline in the store"
    )
    drift.add_argument("--out", help="also write the Markdown table to this file")

    baseline = subparsers.add_parser(
        "coverage-baseline", help="record a main run's coverage.xml in the store (what drift compares with)"
    )
    baseline.add_argument("--coverage", required=True, help="the coverage.xml of the main run")
    baseline.add_argument("--commit", default="", help="the commit it measured (default: $GITHUB_SHA)")
    _store(baseline)

    settings = subparsers.add_parser(
        "github-settings", help="branch ruleset and environments as code (.github/settings/)"
    )
    action = settings.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true", help="compare the settings with the workflows")
    action.add_argument("--apply", action="store_true", help="push them with the GitHub API ($GITHUB_TOKEN)")
    action.add_argument("--write-docs", action="store_true", help="regenerate docs/workflows.md's section")
    settings.add_argument("--src", default=".", help="the tree whose settings and workflows to read")
    settings.add_argument("--repo", help="OWNER/NAME for --apply (default: $GITHUB_REPOSITORY)")


def dispatch(args: argparse.Namespace) -> int:
    """Run the release command `args.command`; returns the exit code (a CareervpError's, when one ends it)."""
    started = time.monotonic()
    try:
        if args.command == "emulator":
            return serve_forever(args.port)
        if args.command == "github-settings":
            return github_settings_command(args)
        refuse_partial_environment(os.environ)
        release = Release(StateDir.from_env(), Path.cwd(), store_uri=store_uri(getattr(args, "store", None)))
        (_run_after_deploy if args.command in AFTER_DEPLOY else _run)(release, args)
    except CareervpError as error:
        print(f"careervp-ci {args.command}: {error}", file=sys.stderr)
        return error.exit_code
    print(f"[release] {args.command} took {time.monotonic() - started:.1f}s", file=sys.stderr)
    return 0


def github_settings_command(args: argparse.Namespace) -> int:
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


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def write_change_set(summary: ChangeSummary, out: Path) -> Path:
    """The JSON at `out` (what `approve --summary` takes) and its Markdown next to it; returns the latter."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(summary.text(), encoding="utf-8")
    markdown = out.with_suffix(".md")
    markdown.write_text(summary.markdown(), encoding="utf-8")
    return markdown


def show_ledger(release: Release, env: str | None, as_json: bool) -> None:
    entries = release.ledger.entries(env)
    events = release.store.events()
    if as_json:
        document = {
            "store": release.store.uri,
            "entries": [asdict(e) for e in entries],
            "store_events": events,
        }
        print(json.dumps(document, indent=2))
        return
    for entry in entries:
        extras = [f"run {entry.run}"] if entry.run else []
        extras += [f"ref {entry.ref}"] if entry.ref else []
        extras += [f"approved by {entry.approved_by}"] if entry.approved_by else []
        extras += [entry.detail] if entry.detail else []
        extras += [f"evidence {entry.evidence}"] if entry.evidence else []
        print(
            f"{entry.time}  {entry.env:<10} {entry.target:<8} {entry.digest}  {entry.commit[:12]}  "
            f"{entry.outcome}  {'; '.join(extras)}".rstrip()
        )
    for event in events:
        print(f"{event['time']}  store      {event['event']}: {event['key']} ({event['detail']})")


def _run(release: Release, args: argparse.Namespace) -> None:
    if args.command == "build":
        result = release.build(src=_path(args.src), ref=args.ref, commit=args.commit)
        if args.out:
            release.local_store.fetch(result.digest, Path(args.out))
        note = " (uncommitted changes included)" if result.dirty else ""
        where = f"; stored in {release.store.uri}" if release.store_uri else ""
        print(
            f"[release] built commit {result.commit[:12]}{note} in {result.seconds:.1f}s{where}",
            file=sys.stderr,
        )
        print(result.digest)
    elif args.command == "publish":
        print(release.publish(args.artifact))
    elif args.command in ("deploy", "promote", "hotfix"):
        if args.command == "deploy":
            deployed = release.deploy(args.env, args.artifact, approval=_path(args.approval), ref=args.ref)
        elif args.command == "promote":
            deployed = release.promote(args.source, args.dest, approval=_path(args.approval))
        else:
            steps = tuple(step.strip() for step in (args.steps or "").split(",") if step.strip())
            if args.steps is not None and not steps:
                raise ReleaseRefused(f"hotfix --steps {args.steps!r} names no step; e.g. --steps lint,format")
            validation = Validation(profile=args.profile, steps=steps)
            deployed = hotfix(
                release,
                args.ref,
                args.env,
                validation=validation,
                approval=_path(args.approval),
                override=args.override_ref,
                checked_out=args.commit,
            )
        print("\n".join(deployed.smoke))
        print(f"{deployed.env}: {deployed.digest} deployed, verified and smoke-tested")
    elif args.command == "verify":
        print(release.verify(args.env))
    elif args.command == "smoke":
        print("\n".join(release.smoke(args.env, args.phase)))
    elif args.command == "change-set":
        summary = release.change_set(args.env, args.artifact)
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
        lines, where = release.approve(args.env, args.artifact, _path(args.summary), args.approver)
        print("\n".join([*lines, f"approval written: {where}"]))
    elif args.command == "destroy":
        print(release.destroy(args.env, args.confirm))
    elif args.command == "ledger":
        show_ledger(release, args.env, args.json)
    elif args.command == "admit-ref":
        commit, note = admit_ref(release, args.ref, args.env, args.override_ref)
        print(f"{args.ref} ({commit}) may go to {args.env}{f'; {note}' if note else ''}")
    elif args.command == "evidence":
        print(release.evidence(args.env, args.run, Path(args.out)))


def _run_after_deploy(release: Release, args: argparse.Namespace) -> None:
    """journeys, drift, coverage-baseline: they read a deployed environment (or record drift's baseline)."""
    if args.command == "journeys":
        print("\n".join(release.journeys(args.env, _path(args.junit))))
    elif args.command == "drift":
        report = release.drift(args.env, _path(args.coverage))
        table = report.markdown()
        if args.out:
            Path(args.out).write_text(table, encoding="utf-8")
        print(table)
        post_to_slack(table, release.log)
        if report.drifted:
            drifted = ", ".join(row.check for row in report.rows if row.status == "drift")
            raise ReleaseFailed(f"{args.env} has drifted: {drifted} (the table above says how)")
    else:
        commit = args.commit or os.environ.get("GITHUB_SHA", "")
        print(release.coverage_baseline(Path(args.coverage), commit))
