"""`lint`: ruff's rule set (configured in pyproject.toml) finds nothing."""

from __future__ import annotations

from careervp_ci.pipeline.steps.context import StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step
from careervp_ci.pipeline.steps.sources import PROJECT_CONFIG, PYTHON_ROOTS, PYTHON_SOURCES
from careervp_ci.pipeline.tool_cache import tool_cache_dir


def run(ctx: StepContext) -> StepOutcome:
    paths = ctx.existing(PYTHON_ROOTS)
    if not paths:
        return ctx.passed("no Python folders to check", notes=[f"looked for: {', '.join(PYTHON_ROOTS)}"])
    cache = tool_cache_dir(ctx, "ruff", PROJECT_CONFIG)
    caching = ["--cache-dir", str(cache)] if cache else ["--no-cache"]
    sarif = ctx.report_dir / "ruff.sarif"
    result = ctx.run(["ruff", "check", *caching, "--output-format", "concise", *paths])
    sarif_format = ["--exit-zero", "--output-format", "sarif", "--output-file", str(sarif)]
    ctx.run(["ruff", "check", *caching, *sarif_format, *paths])
    if result.ok:
        return ctx.passed("no lint findings")
    return ctx.failed("ruff found lint errors", result)


STEP = Step(
    name="lint",
    summary="ruff check over ci, src, infra, bench and tests (SARIF report)",
    run=run,
    inputs=(*PYTHON_SOURCES, *PROJECT_CONFIG),
    tools=("ruff",),
    reports=("ruff.sarif",),
)
