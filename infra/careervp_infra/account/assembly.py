"""Synthesize the account's stacks into their own cloud assembly, with the cdk-nag checks the service has.

Their own assembly, not the release artifact's: they are deployed once per account, before any artifact
exists. The synthesizer generates no BootstrapVersion rule, because the account stack itself creates the
parameter such a rule reads (careervp_infra.account.bootstrap), and the stacks have no assets.
"""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import App, BootstraplessSynthesizer
from aws_cdk.cloud_assembly_schema import Manifest

from careervp_infra.account.naming import Repository, deployable
from careervp_infra.account.stack import AccountStack, EnvironmentRolesStack
from careervp_infra.assembly import FEATURE_FLAGS, attach_checks, synthesize_checked
from careervp_infra.cloud_assembly import stack_templates
from careervp_infra.environments import Environments, load_environments

EMPTY_ASSET_MANIFEST = {"version": Manifest.version(), "files": {}, "dockerImages": {}}


def build_account_app(outdir: Path, repository: Repository, registry: Environments | None = None) -> App:
    """The CDK app of the account's stacks, cdk-nag attached (not yet synthesized)."""
    registry = registry or load_environments()
    app = App(outdir=str(outdir), analytics_reporting=False, context=FEATURE_FLAGS)
    account = AccountStack(app, repository, BootstraplessSynthesizer())
    accesses = registry.github_environments.values()
    for env in deployable(registry):
        mine = [access for access in accesses if access.environment.name == env.name]
        roles = EnvironmentRolesStack(app, env, mine, repository, BootstraplessSynthesizer())
        roles.add_stack_dependency(account, "GitHub's OIDC provider must exist before a role trusts it")
    attach_checks(app)
    return app


def synthesize_account(outdir: Path, repository: Repository, registry: Environments | None = None) -> Path:
    """Write the account assembly to `outdir`; SynthesisError on any unacknowledged cdk-nag finding.

    BootstraplessSynthesizer writes no asset manifest; the release's deploy (release/cloudformation.py)
    reads one beside every template, so an empty one is written: the stacks have nothing to upload."""
    outdir = synthesize_checked(build_account_app(Path(outdir), repository, registry), Path(outdir))
    for stack in stack_templates(outdir):
        assets = stack.template_path.parent / f"{stack.artifact_id}.assets.json"
        assets.write_text(json.dumps(EMPTY_ASSET_MANIFEST, indent=2) + "\n", encoding="utf-8")
    return outdir
