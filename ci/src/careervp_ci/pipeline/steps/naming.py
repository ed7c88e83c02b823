"""`naming`: the gatekeeper checks every physical resource name in the synthesized cloud assembly.

`validate_naming.py --path infra` would synthesize the app itself; the gatekeeper reads an assembly just as
well (`--path <cloud assembly>`), so this step needs `synth` and checks the assembly that step produced:
the same app, synthesized once per run instead of twice.
"""

from __future__ import annotations

from careervp_ci.pipeline.steps.context import StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step
from careervp_ci.pipeline.steps.sources import INFRA_SOURCES, PROJECT_CONFIG
from careervp_ci.pipeline.steps.synth import ASSEMBLY

GATEKEEPER = "src/backend/scripts/validate_naming.py"


def run(ctx: StepContext) -> StepOutcome:
    if not (ctx.src / GATEKEEPER).is_file():
        return ctx.failed(
            f"the naming gatekeeper {GATEKEEPER} is missing from {ctx.src}",
            details=[f"{GATEKEEPER}: expected the infra team's validator here (see docs/architecture.md)"],
        )
    result = ctx.run(["python", GATEKEEPER, "--path", ASSEMBLY, "--strict"])
    if result.ok:
        return ctx.passed("every resource name follows careervp-<env>-<component>-<resource>")
    return ctx.failed("resource names break the naming rules", result)


STEP = Step(
    name="naming",
    summary="validate_naming.py --strict (the gatekeeper) over the assembly `synth` produced",
    run=run,
    inputs=(*INFRA_SOURCES, "src/backend/scripts/**/*.py", *PROJECT_CONFIG),
    needs=("synth",),
)
