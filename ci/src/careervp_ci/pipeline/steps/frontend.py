"""`frontend-lint`, `frontend-unit`, `frontend-build`: the SPA in `frontend/`, its own locked npm project,
checked with its own scripts (eslint, `node --test`, esbuild) under the Node 22 that uv.lock provides.

Each step first installs `frontend/package-lock.json` exactly (`npm ci`) unless that very lock is installed
already (`node_modules/.careervp-lock` holds the sha256 of the lock it installed; `make setup` writes it
too), so a fresh clone, a container and a stale tree all run the locked tools. The release build installs
and builds the same way (`frontend_dist`), so the files the artifact carries are the ones this step built.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from careervp_ci.pipeline.steps.context import CommandResult, StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step

FRONTEND = "frontend"
DIST = f"{FRONTEND}/dist"
STAMP = "node_modules/.careervp-lock"
SOURCES = (
    f"{FRONTEND}/package.json",
    f"{FRONTEND}/package-lock.json",
    f"{FRONTEND}/*.js",
    f"{FRONTEND}/*.mjs",
    f"{FRONTEND}/src/**",
    f"{FRONTEND}/test/**",
)
NPM_CI = ("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts")
"""No install scripts, as for the root tools: esbuild's only checks its platform binary, which npm installs
as an optional dependency anyway."""


def lock_digest(folder: Path) -> str:
    return hashlib.sha256((folder / "package-lock.json").read_bytes()).hexdigest()


def installed(folder: Path) -> bool:
    """Whether node_modules holds exactly the lock's packages (the stamp `npm ci` left names this lock)."""
    stamp = folder / STAMP
    return stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == lock_digest(folder)


def install(ctx: StepContext) -> CommandResult | None:
    """`npm ci` in frontend/ unless its lock is installed already; the failed command, or None."""
    folder = ctx.src / FRONTEND
    if installed(folder):
        return None
    result = ctx.run([*NPM_CI, "--prefix", FRONTEND])
    if not result.ok:
        return result
    mark_installed(folder)
    return None


def mark_installed(folder: Path) -> None:
    """Record that node_modules now holds this lock (after `npm ci` succeeded)."""
    stamp = folder / STAMP
    stamp.parent.mkdir(exist_ok=True)  # npm ci makes no node_modules for a lock without packages
    stamp.write_text(lock_digest(folder) + "\n", encoding="utf-8")


def _script(script: str, passed: str, failed: str) -> Callable[[StepContext], StepOutcome]:
    """A step running `npm run <script>` in frontend/ after the locked install."""

    def run(ctx: StepContext) -> StepOutcome:
        if not (ctx.src / FRONTEND / "package-lock.json").is_file():
            return ctx.failed(
                f"{FRONTEND}/package-lock.json is missing: the SPA must be a locked npm project",
                details=[f"{FRONTEND}/package-lock.json: not found (run `npm install --prefix {FRONTEND}`)"],
            )
        if (broken := install(ctx)) is not None:
            return ctx.failed(f"npm ci could not install {FRONTEND}/package-lock.json", broken)
        result = ctx.run(["npm", "run", "--prefix", FRONTEND, script])
        if not result.ok:
            return ctx.failed(failed, result)
        return ctx.passed(passed)

    return run


LINT = Step(
    name="frontend-lint",
    summary="eslint over the SPA in frontend/ (its own locked npm project)",
    run=_script("lint", "eslint found nothing in frontend/", "eslint found problems in frontend/"),
    inputs=(*SOURCES, f"{FRONTEND}/eslint.config.js"),
)
UNIT = Step(
    name="frontend-unit",
    summary="the SPA's unit tests (node --test frontend/test)",
    run=_script("test", "the SPA's unit tests passed", "the SPA's unit tests failed"),
    inputs=SOURCES,
)
BUILD = Step(
    name="frontend-build",
    summary="the SPA's build (esbuild) into frontend/dist, the files a release carries",
    run=_script("build", f"built the SPA into {DIST}", "the SPA's build failed"),
    inputs=SOURCES,
    outputs=(DIST,),
)
