"""`account synth|check|apply|verify`: the AWS account side as code (careervp_infra.account): GitHub's
OIDC provider, a role per GitHub environment of the registry, the artifact store, the CDK bootstrap parts.
See docs/aws-setup.md for the order a new account takes."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from careervp_infra.account.naming import Repository, RepositoryError, output_key
from careervp_infra.environments import load_environments

from careervp_ci.account.apply import apply, require_lasting, stack_names
from careervp_ci.account.check import check_template
from careervp_ci.account.template import AccountTemplate, find_templates
from careervp_ci.account.verify import verify
from careervp_ci.errors import UsageError
from careervp_ci.release.commands.options import Subparsers
from careervp_ci.release.session import open_session
from careervp_ci.release.targets import get_target

REPOSITORY_ENV = "GITHUB_REPOSITORY"


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("account", help="the AWS account side: OIDC trust, roles, artifact store")
    actions = parser.add_subparsers(dest="account_command", required=True, metavar="ACTION")
    synth = actions.add_parser("synth", help="write the account's stacks (DIR/*.template.json)")
    synth.add_argument("--out", required=True, help="the folder to write")
    actions.add_parser("check", help="cdk-nag, the IAM, bucket and provider rules, cfn-lint: zero findings")
    for name, help_text in (
        ("apply", "check, then deploy the account's stacks to a target"),
        ("verify", "check, then compare the live account with the templates"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument(
            "--target",
            required=True,
            help="an environment (its account and region; $CAREERVP_TARGETS may bind it to an emulator)",
        )
    for name, action in actions.choices.items():
        action.add_argument("--repository", help=f"OWNER/NAME the roles trust (default: ${REPOSITORY_ENV})")
        if name != "synth":
            action.add_argument(
                "--assembly", help="the folder `account synth --out` wrote (default: synthesize)"
            )


def main(args: argparse.Namespace) -> int:
    """synth writes the assembly; check, apply and verify check it first and stop at any finding."""
    repository = _repository(args.repository)
    if args.account_command == "synth":
        out = _synthesize(Path(args.out), repository)
        print("\n".join(f"synthesized {path}" for path in find_templates(out)))
        return 0
    target = get_target(args.target) if args.account_command != "check" else None
    if target is not None:
        require_lasting(target)
    with tempfile.TemporaryDirectory(prefix="careervp-account-") as scratch:
        assembly = Path(args.assembly) if args.assembly else _synthesize(Path(scratch), repository)
        if _check(assembly, repository):
            return 1
        if target is None:
            return 0
        if args.account_command == "apply":
            _print_outputs(apply(target, assembly, _log))
            return 0
        with open_session(target) as session:
            pseudo = {"AWS::AccountId": session.resolve_account(), "AWS::Region": session.region}
            template = AccountTemplate.load(assembly, pseudo)
            checks = verify(template, stack_names(assembly), session, target.kind == "emulator")
    for check in checks:
        print(check.render())
    return 1 if any(check.outcome == "mismatch" for check in checks) else 0


def _print_outputs(found: dict[str, str]) -> None:
    """The role ARNs under the secret names GitHub keeps them as, then the store's URI."""
    secrets = {output_key(secret): secret for secret in load_environments().role_secrets}
    for key, value in found.items():
        print(f"{secrets.get(key, key)} = {value}")


def _repository(given: str | None) -> Repository:
    text = given or os.environ.get(REPOSITORY_ENV)
    if not text:
        raise UsageError(
            f"give --repository OWNER/NAME (or set ${REPOSITORY_ENV}): the repository the roles trust"
        )
    try:
        return Repository.parse(text)
    except RepositoryError as error:
        raise UsageError(str(error)) from None


def _synthesize(out: Path, repository: Repository) -> Path:
    # The CDK (a Node process through jsii) loads only for `account synth`: every release command used to
    # start it, ~1.4 s of CPU, to register its arguments.
    from careervp_infra.account.assembly import synthesize_account  # noqa: PLC0415
    from careervp_infra.assembly import SynthesisError  # noqa: PLC0415

    try:
        return synthesize_account(out, repository)
    except SynthesisError as error:
        raise UsageError(f"the account stack breaks a cdk-nag rule: {error}") from None


def _check(folder: Path, repository: Repository) -> int:
    findings = check_template(folder, repository)
    for finding in findings:
        print(f"careervp-ci account check: {finding.render()}", file=sys.stderr)
    if findings:
        print(f"careervp-ci account: {len(findings)} finding(s); nothing was deployed", file=sys.stderr)
        return 1
    print("account stacks: cdk-nag, the IAM, bucket and provider rules and cfn-lint find nothing")
    return 0


def _log(line: str) -> None:
    print(f"[account] {line}", file=sys.stderr, flush=True)
