"""`release-local`: the release path on this machine, the last step of the `main` profile.

build (the tree the gates just checked, as it is) -> deploy to `local` (a moto server the deploy starts on
127.0.0.1) -> verify -> smoke, through the release CLI exactly as a person would run it. Without a
configured $STRIPE_WEBHOOK_SECRET the step makes a throwaway one for this run: `local` is an emulator that
lives only as long as the deploy, so no real secret is involved (and none is ever printed).
"""

from __future__ import annotations

import os
import re
import secrets

from careervp_ci.steps.context import StepContext, StepOutcome
from careervp_ci.steps.model import Step
from careervp_ci.steps.sources import BACKEND_SOURCES, INFRA_SOURCES, LOCKFILES, PROJECT_CONFIG

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$", re.MULTILINE)
SECRET_ENV = "STRIPE_WEBHOOK_SECRET"  # noqa: S105 (the variable's name)


def run(ctx: StepContext) -> StepOutcome:
    notes = []
    if not ctx.base_env.get(SECRET_ENV):
        ctx.base_env = {**ctx.base_env, SECRET_ENV: secrets.token_hex(24)}
        notes.append(f"{SECRET_ENV} was not set: a throwaway value signed the local smoke's webhook fixture")
    state = (
        {"CAREERVP_STATE_DIR": str(ctx.src / ".careervp")} if "CAREERVP_STATE_DIR" not in os.environ else {}
    )
    built = ctx.run(["careervp-ci", "build", "--src", str(ctx.src)], env=state)
    found = _DIGEST.findall(built.output)
    if not built.ok or not found:
        return ctx.failed("the release artifact did not build", built)
    digest = found[-1]
    deployed = ctx.run(["careervp-ci", "deploy", "--env", "local", "--artifact", digest], env=state)
    if not deployed.ok:
        return ctx.failed(
            f"deploy of {digest} to local (emulator) failed, or its verify or smoke did", deployed
        )
    smoke = [line for line in deployed.output.splitlines() if line.startswith(("ok ", "FAIL"))]
    return ctx.passed(
        f"built {digest}; deployed to local, verified, {len(smoke)} smoke checks passed", notes + smoke
    )


STEP = Step(
    name="release-local",
    summary="build the artifact -> deploy to the local AWS emulator -> verify -> smoke",
    run=run,
    inputs=(*BACKEND_SOURCES, *INFRA_SOURCES, *PROJECT_CONFIG, *LOCKFILES, "ci/src/careervp_ci/**"),
    needs_node=True,
    cacheable=False,
    tools=("aws-cdk-lib", "constructs", "cdk-nag", "cyclonedx-bom", "moto", "boto3"),
)
