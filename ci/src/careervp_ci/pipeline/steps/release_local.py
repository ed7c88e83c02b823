"""`release-local`: the release path on this machine, the last step of the `main` profile.

build (the tree the gates just checked, as it is) -> deploy to the registry's emulator environment
(`local`, dev's stack) -> verify -> smoke -> e2e, through the release CLI exactly as a person would run it.
The step runs the AWS emulator itself (`careervp-ci emulator` on a free port, stopped at the end) and binds
that environment to it with a targets file of its own, so the stack outlives the deploy command and
`careervp-ci journeys` runs the happy-path suite against it. Without a configured $STRIPE_WEBHOOK_SECRET the
step makes a throwaway one for this run: the emulator lives only as long as the step, so no real secret is
involved (and none is ever printed).
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from careervp_ci.pipeline.steps.context import StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step
from careervp_ci.pipeline.steps.sources import BACKEND_SOURCES, INFRA_SOURCES, LOCKFILES, PROJECT_CONFIG

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$", re.MULTILINE)
SECRET_ENV = "STRIPE_WEBHOOK_SECRET"  # noqa: S105 (the variable's name)


@contextmanager
def running_emulator(ctx: StepContext) -> Iterator[str]:
    """`careervp-ci emulator --port 0` in the background; yields its endpoint, stops it (SIGTERM) after."""
    process = subprocess.Popen(
        [sys.executable, "-m", "careervp_ci.host.cli", "emulator", "--port", "0"],
        cwd=ctx.src,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        first = process.stdout.readline() if process.stdout else ""
        if not first.startswith("emulator: "):
            raise RuntimeError(f"the emulator did not start (it printed {first.strip()!r})")
        yield first.removeprefix("emulator: ").strip()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def local_targets(folder: Path, env: str, endpoint: str) -> Path:
    """A targets file binding `env` to the emulator at `endpoint`."""
    path = folder / "targets.local.toml"
    path.write_text(f'[targets."{env}"]\nendpoint = "{endpoint}"\n', encoding="utf-8")
    return path


def run(ctx: StepContext) -> StepOutcome:
    # the registry is pydantic's, which the host has and the Dagger module's runtime does not
    from careervp_infra.environments import load_environments  # noqa: PLC0415

    local = load_environments().emulator_environment().name
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
    try:
        with running_emulator(ctx) as endpoint:
            env = {**state, "CAREERVP_TARGETS": str(local_targets(ctx.report_dir, local, endpoint))}
            deployed = ctx.run(["careervp-ci", "deploy", "--env", local, "--artifact", digest], env=env)
            if not deployed.ok:
                return ctx.failed(
                    f"deploy of {digest} to {local} (emulator) failed, or its verify or smoke did", deployed
                )
            junit = str(ctx.report_dir / "e2e-junit.xml")
            e2e = ctx.run(["careervp-ci", "journeys", "--env", local, "--junit", junit], env=env)
    except RuntimeError as error:
        return ctx.failed("the local AWS emulator did not start", details=[str(error)])
    smoke = [line for line in deployed.output.splitlines() if line.startswith(("ok ", "FAIL"))]
    journeys = [line for line in e2e.output.splitlines() if line.startswith(("ok   e2e", "FAIL e2e"))]
    if not e2e.ok:
        return ctx.failed(f"e2e against {local} ({digest}) failed", e2e, details=journeys or ())
    return ctx.passed(
        f"built {digest}; deployed to {local}, verified, {len(smoke)} smoke checks and "
        f"{len(journeys)} e2e journeys passed",
        notes + smoke + journeys,
    )


STEP = Step(
    name="release-local",
    summary="build the artifact -> deploy to the local AWS emulator -> verify -> smoke",
    run=run,
    inputs=(*BACKEND_SOURCES, *INFRA_SOURCES, *PROJECT_CONFIG, *LOCKFILES, "ci/src/careervp_ci/**"),
    needs_browser=True,
    cacheable=False,
    tools=("aws-cdk-lib", "constructs", "cdk-nag", "cyclonedx-bom", "moto", "boto3", "pytest"),
    reports=("e2e-junit.xml",),
)
