"""`format`: every Python file is formatted the way `ruff format` would write it."""

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
    result = ctx.run(["ruff", "format", *caching, "--check", "--output-format", "concise", *paths])
    if result.ok:
        return ctx.passed("all files formatted")
    return ctx.failed("files need `ruff format` (run the command without --check to fix)", result)


STEP = Step(
    name="format",
    summary="ruff format --check over ci, src, infra, bench and tests",
    run=run,
    inputs=(*PYTHON_SOURCES, *PROJECT_CONFIG),
    tools=("ruff",),
)
