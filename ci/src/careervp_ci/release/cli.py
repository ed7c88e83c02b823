"""The release commands of `careervp-ci`: build, publish, deploy, verify, smoke, promote, rollback,
change-set, change-set-markdown, approve, hotfix, destroy, ledger, evidence, admit-ref, emulator, and after a
deploy journeys and drift; github-settings (the repository's ruleset and environments). `host/cli.py` calls
`register` to add them and `dispatch` to run one; each lives in its own module under `commands/`.

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
import sys
import time
from collections.abc import Callable

from careervp_ci.errors import CareervpError
from careervp_ci.release.commands import (
    account,
    admit_ref,
    approve,
    build,
    change_set,
    change_set_markdown,
    coverage_baseline,
    deploy,
    destroy,
    drift,
    emulator,
    evidence,
    github_settings,
    hotfix,
    journeys,
    ledger,
    promote,
    publish,
    rollback,
    smoke,
    verify,
)
from careervp_ci.release.commands.options import Subparsers
from careervp_ci.release.service import Release

RELEASE_COMMANDS: dict[str, Callable[[Release, argparse.Namespace], None]] = {
    "build": build.main,
    "publish": publish.main,
    "deploy": deploy.main,
    "verify": verify.main,
    "smoke": smoke.main,
    "promote": promote.main,
    "rollback": rollback.main,
    "change-set": change_set.main,
    "change-set-markdown": change_set_markdown.main,
    "approve": approve.main,
    "hotfix": hotfix.main,
    "destroy": destroy.main,
    "ledger": ledger.main,
    "evidence": evidence.main,
    "admit-ref": admit_ref.main,
    "journeys": journeys.main,
    "drift": drift.main,
    "coverage-baseline": coverage_baseline.main,
}
"""The commands that work on a release (`Release`: state, store, credentials), by name."""
STANDALONE: dict[str, Callable[[argparse.Namespace], int]] = {
    "emulator": emulator.main,
    "github-settings": github_settings.main,
    "account": account.main,
}
"""The commands that need no release and say their own exit code."""
REGISTRATION = (
    build, publish, deploy, verify, smoke, promote, rollback, change_set, change_set_markdown, approve,
    hotfix, destroy, ledger, evidence, admit_ref, emulator, journeys, drift, coverage_baseline,
    github_settings, account,
)  # fmt: skip
"""The order `careervp-ci --help` lists them in."""
COMMANDS = (*RELEASE_COMMANDS, *STANDALONE)


def register(subparsers: Subparsers) -> None:
    """Add the release commands to the `careervp-ci` parser."""
    for command in REGISTRATION:
        command.register(subparsers)


def dispatch(args: argparse.Namespace) -> int:
    """Run the release command `args.command`; returns its exit code. This is the one place a release
    error is caught: it is printed naming the command, and its class says the exit code."""
    started = time.monotonic()
    try:
        if args.command in STANDALONE:
            return STANDALONE[args.command](args)
        RELEASE_COMMANDS[args.command](Release.from_command_line(getattr(args, "store", None)), args)
    except CareervpError as error:
        print(f"careervp-ci {args.command}: {error}", file=sys.stderr)
        return error.exit_code
    print(f"[release] {args.command} took {time.monotonic() - started:.1f}s", file=sys.stderr)
    return 0
