"""Synthesize the account stack into its own cloud assembly, with the cdk-nag checks the service has.

Its own assembly, not the release artifact's: it is deployed once per account, before any artifact exists,
and names no environment's stack. Its synthesizer generates no BootstrapVersion rule, because the stack
itself creates the parameter such a rule reads (careervp_infra.account.bootstrap), and has no assets.
"""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import App, BootstraplessSynthesizer
from aws_cdk.cloud_assembly_schema import Manifest

from careervp_infra.account.naming import Repository
from careervp_infra.account.stack import STACK_ID, AccountStack
from careervp_infra.assembly import FEATURE_FLAGS, attach_checks, synthesize_checked
from careervp_infra.environments import Environments, load_environments

ASSET_MANIFEST = f"{STACK_ID}.assets.json"
EMPTY_ASSET_MANIFEST = {"version": Manifest.version(), "files": {}, "dockerImages": {}}


def build_account_app(outdir: Path, repository: Repository, registry: Environments | None = None) -> App:
    """The CDK app holding only the account stack, cdk-nag attached (not yet synthesized)."""
    app = App(outdir=str(outdir), analytics_reporting=False, context=FEATURE_FLAGS)
    AccountStack(app, registry or load_environments(), repository, BootstraplessSynthesizer())
    attach_checks(app)
    return app


def synthesize_account(outdir: Path, repository: Repository, registry: Environments | None = None) -> Path:
    """Write the account assembly to `outdir`; SynthesisError on any unacknowledged cdk-nag finding.

    BootstraplessSynthesizer writes no asset manifest; the release's deploy (release/cloudformation.py)
    reads one beside every template, so an empty one is written: the stack has nothing to upload."""
    outdir = synthesize_checked(build_account_app(Path(outdir), repository, registry), Path(outdir))
    (outdir / ASSET_MANIFEST).write_text(json.dumps(EMPTY_ASSET_MANIFEST, indent=2) + "\n", encoding="utf-8")
    return outdir
