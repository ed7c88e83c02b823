"""What the two ruff steps (`format`, `lint`) share: ruff over the project's Python folders that exist, with
its cache kept for ruff's version and the project's configuration (`careervp_ci.pipeline.tool_cache`)."""

from __future__ import annotations

from dataclasses import dataclass

from careervp_ci.pipeline.steps.context import CommandResult, StepContext, StepOutcome
from careervp_ci.pipeline.steps.sources import PROJECT_CONFIG, PYTHON_ROOTS, PYTHON_SOURCES
from careervp_ci.pipeline.tool_cache import tool_cache_dir

INPUTS = (*PYTHON_SOURCES, *PROJECT_CONFIG)
"""What ruff reads: the Python sources and the files that configure it."""


@dataclass(frozen=True)
class Ruff:
    """ruff over the tree's Python folders, with its cache (none with `--no-cache`)."""

    ctx: StepContext
    paths: tuple[str, ...]
    caching: tuple[str, ...]

    @classmethod
    def over_python(cls, ctx: StepContext) -> Ruff | None:
        """None when the tree has no Python folder (a small fixture tree): see `nothing_to_check`."""
        paths = ctx.existing(PYTHON_ROOTS)
        if not paths:
            return None
        cache = tool_cache_dir(ctx, "ruff", PROJECT_CONFIG)
        return cls(ctx, tuple(paths), ("--cache-dir", str(cache)) if cache else ("--no-cache",))

    def run(self, command: str, *options: str) -> CommandResult:
        """`ruff <command> <cache> <options> <paths>`."""
        return self.ctx.run(["ruff", command, *self.caching, *options, *self.paths])


def nothing_to_check(ctx: StepContext) -> StepOutcome:
    return ctx.passed("no Python folders to check", notes=[f"looked for: {', '.join(PYTHON_ROOTS)}"])
