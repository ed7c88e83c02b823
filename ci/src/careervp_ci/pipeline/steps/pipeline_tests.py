"""`pipeline-tests`: the pipeline checks itself. `tests/ci` (executor, selection, cache, Dagger parity and
recipes, workflow rules, release state) runs in every profile, so a change that breaks the pipeline cannot
pass the pipeline. Change-aware selection runs it when the pipeline's own files change
(`careervp_ci.pipeline.changes.select.PIPELINE_PATHS`).

Spread over the machine's cores with pytest-xdist (`-n auto`); the random order's seed is printed, as for
every suite. The workflow rehearsal (`tests/rehearsal`, real containers) is not part of it: it needs a
container engine, which the step's own container does not have; `make rehearse` runs it.
"""

from __future__ import annotations

from careervp_ci.pipeline.steps.context import StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step
from careervp_ci.pipeline.steps.pytest_suite import (
    NO_TESTS_COLLECTED,
    SEED_ENV,
    SELECTION_OPTIONS,
    choose_seed,
    failure_lines,
    reruns,
)
from careervp_ci.pipeline.steps.sources import LOCKFILES, PROJECT_CONFIG, PYTHON_SOURCES, TEST_SUPPORT

FOLDER = "tests/ci"


def run(ctx: StepContext) -> StepOutcome:
    if not (ctx.src / FOLDER).is_dir():
        return ctx.passed(f"no tests: {FOLDER} does not exist")
    seed = choose_seed(ctx)
    argv = ["pytest", FOLDER, "-n", "auto", f"--randomly-seed={seed}", "-rfER", "-q"]
    argv += ["--junitxml", str(ctx.report_dir / "junit.xml")]
    if marker := ctx.option("marker"):
        argv += ["-m", marker]
    if keyword := ctx.option("keyword"):
        argv += ["-k", keyword]
    result = ctx.run(argv)
    notes = [f"random-order seed {seed} (replay with --seed {seed} or {SEED_ENV}={seed})"]
    notes += [f"retried flaky test {test}" for test in reruns(result.output)]
    if result.returncode == NO_TESTS_COLLECTED:
        return ctx.passed(f"no tests collected in {FOLDER} for this selection", notes=notes)
    if result.ok:
        summary = next((ln for ln in reversed(result.output.splitlines()) if " passed" in ln), "passed")
        return ctx.passed(summary.strip("= "), notes=notes)
    outcome = ctx.failed(f"the pipeline's own tests failed in {FOLDER}", result, failure_lines(result.output))
    return StepOutcome(outcome.status, outcome.message, outcome.details, outcome.reproduce, tuple(notes))


STEP = Step(
    name="pipeline-tests",
    summary="pytest tests/ci -n auto: the executor, selection, cache, Dagger module and workflow rules",
    run=run,
    inputs=(
        *PYTHON_SOURCES,
        *PROJECT_CONFIG,
        *LOCKFILES,
        *TEST_SUPPORT,
        "ci/uv.lock",
        "ci/.python-version",
        "dagger.json",
        "Makefile",
        ".github/**",
        "docs/specs/**",
        "docs/architecture.md",
        "ci/src/careervp_ci/**",
    ),
    options=SELECTION_OPTIONS,
    needs_browser=True,
    needs_git=True,
    tools=("pytest", "pytest-xdist", "pytest-randomly", "pytest-rerunfailures", "dagger-io", "moto"),
    reports=("junit.xml",),
)
