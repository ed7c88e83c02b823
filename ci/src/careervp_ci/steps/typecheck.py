"""`typecheck`: mypy in strict mode (configured in pyproject.toml) over the pipeline, backend and infra."""

from __future__ import annotations

from careervp_ci.steps.context import StepContext, StepOutcome
from careervp_ci.steps.model import Step
from careervp_ci.steps.sources import PROJECT_CONFIG, TYPED_ROOTS, TYPED_SOURCES


def run(ctx: StepContext) -> StepOutcome:
    paths = ctx.existing(TYPED_ROOTS)
    if not paths:
        return ctx.passed("no typed folders to check", notes=[f"looked for: {', '.join(TYPED_ROOTS)}"])
    junit = ctx.report_dir / "mypy-junit.xml"
    result = ctx.run(["mypy", "--junit-xml", str(junit), *paths])
    if result.ok:
        return ctx.passed("no type errors")
    return ctx.failed("mypy found type errors", result)


STEP = Step(
    name="typecheck",
    summary="mypy --strict over ci/src, src and infra",
    run=run,
    inputs=(*TYPED_SOURCES, *PROJECT_CONFIG, "uv.lock"),
    tools=("mypy",),
    reports=("mypy-junit.xml",),
)
