"""`typecheck`: mypy in strict mode (configured in pyproject.toml) over the pipeline, backend, infra, tests.

mypy runs with the project's settings plus one narrowing of third-party analysis (the CDK modules our code
never imports are skipped: `careervp_ci.pipeline.mypy_narrowing`; the config is kept as the report
`mypy.ini`). Its incremental cache lives under the result cache, keyed by mypy's version, its settings and
uv.lock (`careervp_ci.pipeline.tool_cache`), so an edit re-analyses what changed and not the stubs of the CDK
and boto3.
"""

from __future__ import annotations

from careervp_ci.pipeline.mypy_narrowing import write_config
from careervp_ci.pipeline.steps.context import StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step
from careervp_ci.pipeline.steps.sources import PROJECT_CONFIG, TYPED_ROOTS, TYPED_SOURCES
from careervp_ci.pipeline.tool_cache import tool_cache_dir

MYPY_CONFIG = ("pyproject.toml", "uv.lock", ".python-version")
"""What mypy's incremental cache is keyed by: its settings and every locked stub and library it reads."""


def run(ctx: StepContext) -> StepOutcome:
    paths = ctx.existing(TYPED_ROOTS)
    if not paths:
        return ctx.passed("no typed folders to check", notes=[f"looked for: {', '.join(TYPED_ROOTS)}"])
    junit = ctx.report_dir / "mypy-junit.xml"
    cache = tool_cache_dir(ctx, "mypy", MYPY_CONFIG)
    sources = [file for path in paths for file in sorted((ctx.src / path).rglob("*.py"))]
    config = write_config(ctx.src / "pyproject.toml", sources, ctx.report_dir / "mypy.ini")
    argv = ["mypy", "--config-file", str(config), "--cache-dir", str(cache or "/dev/null")]
    result = ctx.run([*argv, "--junit-xml", str(junit), *paths])
    if result.ok:
        return ctx.passed("no type errors")
    return ctx.failed("mypy found type errors", result)


STEP = Step(
    name="typecheck",
    summary="mypy --strict over ci/src, src, infra and tests",
    run=run,
    inputs=(*TYPED_SOURCES, *PROJECT_CONFIG, "uv.lock"),
    tools=("mypy",),
    reports=("mypy-junit.xml", "mypy.ini"),
)
