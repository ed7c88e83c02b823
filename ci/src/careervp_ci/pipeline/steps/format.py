"""`format`: every Python file is formatted the way `ruff format` would write it."""

from __future__ import annotations

from careervp_ci.pipeline.steps.context import StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step
from careervp_ci.pipeline.steps.ruff import INPUTS, Ruff, nothing_to_check


def run(ctx: StepContext) -> StepOutcome:
    ruff = Ruff.over_python(ctx)
    if ruff is None:
        return nothing_to_check(ctx)
    result = ruff.run("format", "--check", "--output-format", "concise")
    if result.ok:
        return ctx.passed("all files formatted")
    return ctx.failed("files need `ruff format` (run the command without --check to fix)", result)


STEP = Step(
    name="format",
    summary="ruff format --check over ci, src, infra, bench and tests",
    run=run,
    inputs=INPUTS,
    tools=("ruff",),
)
