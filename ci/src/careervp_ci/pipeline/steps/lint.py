"""`lint`: ruff's rule set (configured in pyproject.toml) finds nothing."""

from __future__ import annotations

from careervp_ci.pipeline.steps.context import StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step
from careervp_ci.pipeline.steps.ruff import INPUTS, Ruff, nothing_to_check


def run(ctx: StepContext) -> StepOutcome:
    ruff = Ruff.over_python(ctx)
    if ruff is None:
        return nothing_to_check(ctx)
    result = ruff.run("check", "--output-format", "concise")
    sarif = ctx.report_dir / "ruff.sarif"
    ruff.run("check", "--exit-zero", "--output-format", "sarif", "--output-file", str(sarif))
    if result.ok:
        return ctx.passed("no lint findings")
    return ctx.failed("ruff found lint errors", result)


STEP = Step(
    name="lint",
    summary="ruff check over ci, src, infra, bench and tests (SARIF report)",
    run=run,
    inputs=INPUTS,
    tools=("ruff",),
    reports=("ruff.sarif",),
)
