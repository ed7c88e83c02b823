"""`pipeline-tests`: the pipeline checks itself. `tests/ci` (executor, selection, cache, Dagger parity and
recipes, workflow rules, release state) runs in every profile, so a change that breaks the pipeline cannot
pass the pipeline. Change-aware selection runs it when the pipeline's own files change
(`careervp_ci.pipeline.changes.select.PIPELINE_PATHS`).

Spread over the machine's cores with pytest-xdist (`-n auto`); the random order's seed is printed, as for
every suite. The workflow rehearsal (`tests/rehearsal`, real containers) is not part of it: it needs a
container engine, which the step's own container does not have; `make rehearse` runs it.

With a result cache, a full passing run records what each test read and executed
(`careervp_ci.pipeline.changes.reads`), and a later run re-runs only the tests its changes can reach: a
backend edit no longer re-runs every test of the pipeline. A Dagger job's cache dies with its container, so
there it records nothing (recording costs about a fifth of the run).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from careervp_ci.host.cache import FileDigests, input_files
from careervp_ci.pipeline import junit_report
from careervp_ci.pipeline.changes import impact, reads
from careervp_ci.pipeline.changes.reads_hook import OUT_OPTION, nested_env
from careervp_ci.pipeline.steps.context import DISCARDED_ENV, StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step
from careervp_ci.pipeline.steps.pytest_suite import (
    NO_TESTS_COLLECTED,
    PYTEST_TOOLS,
    SEED_ENV,
    SELECTION_OPTIONS,
    choose_seed,
    failure_lines,
    reruns,
)
from careervp_ci.pipeline.steps.sources import LOCKFILES, PROJECT_CONFIG, PYTHON_SOURCES, TEST_SUPPORT

FOLDER = "tests/ci"
ALWAYS_FULL = (*LOCKFILES, *PROJECT_CONFIG, "ci/uv.lock", "ci/.python-version")
"""What changes every test process's environment, not a file any test reads."""
INPUTS = (
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
)


def run(ctx: StepContext) -> StepOutcome:
    if not (ctx.src / FOLDER).is_dir():
        return ctx.passed(f"no tests: {FOLDER} does not exist")
    seed = choose_seed(ctx)
    digests = FileDigests(ctx.src)
    inputs = {path: digests(path) for path in input_files(ctx.src, INPUTS)}
    mapped = impact.state_dir(ctx.state_dir, ctx.step, ctx.options) if ctx.state_dir else None
    if mapped is None:
        selection = impact.Selection((), "full run: no result cache (--no-cache), so no map", ())
    elif ctx.cache_discarded:
        mapped = None
        reason = f"full run: ${DISCARDED_ENV} says the result cache dies with this run, so no map is kept"
        selection = impact.Selection((), reason, ())
    elif not _recordable(ctx.src):
        mapped = None
        selection = impact.Selection((), "full run: the tree's own pipeline code has no read tracker", ())
    else:
        selection = reads.select(ctx.src, inputs, mapped, ALWAYS_FULL)
    argv = ["pytest", *(selection.test_files or [FOLDER]), "-n", "auto", f"--randomly-seed={seed}"]
    argv += ["-rfER", "-q", "--junitxml", str(ctx.report_dir / "junit.xml")]
    if marker := ctx.option("marker"):
        argv += ["-m", marker]
    if keyword := ctx.option("keyword"):
        argv += ["-k", keyword]
    reproduce = ctx.display(argv, {}, ctx.src)
    with tempfile.TemporaryDirectory(prefix="careervp-reads-") as scratch:
        # Only a full run's record becomes the map; a selected run would pay for recording and drop it.
        record = _Recording(Path(scratch)) if mapped and selection.full else None
        recording = record.pytest_arguments(ctx) if record else []
        deselect = [word for test in selection.deselect for word in ("--deselect", test)]
        result = ctx.run([*argv, *deselect, *recording], env=record.env(ctx) if record else None)
        passed = result.ok or result.returncode == NO_TESTS_COLLECTED
        if record and mapped and passed:
            collected = junit_report.test_ids(ctx.report_dir / "junit.xml", ctx.src)
            reads.record(ctx.src, record.coverage, record.reads, inputs, collected, mapped)
    notes = [f"random-order seed {seed} (replay with --seed {seed} or {SEED_ENV}={seed})"]
    notes += [f"retried flaky test {test}" for test in reruns(result.output)]
    notes.append(f"test selection: {selection.reason}")
    if result.returncode == NO_TESTS_COLLECTED:
        return ctx.passed(f"no tests collected in {FOLDER} for this selection", notes=notes)
    if result.ok:
        summary = next((ln for ln in reversed(result.output.splitlines()) if " passed" in ln), "passed")
        return ctx.passed(summary.strip("= "), notes=notes)
    outcome = ctx.failed(
        f"the pipeline's own tests failed in {FOLDER}",
        result,
        failure_lines(result.output, ctx.report_dir / "junit.xml", ctx.src),
    )
    return StepOutcome(outcome.status, outcome.message, outcome.details, reproduce, tuple(notes))


STEP = Step(
    name="pipeline-tests",
    summary="pytest tests/ci -n auto: the executor, selection, cache, Dagger module and workflow rules",
    run=run,
    inputs=INPUTS,
    options=SELECTION_OPTIONS,
    needs_browser=True,
    needs_git=True,
    tools=(*PYTEST_TOOLS, "pytest-xdist", "dagger-io"),
    reports=("junit.xml",),
    suite=FOLDER,
)


def _recordable(src: Path) -> bool:
    """Whether pytest finds the tracker: a tree's own `ci/src` comes first on its path (`StepContext.run`),
    so a tree whose pipeline code predates the tracker cannot load it."""
    own = src / "ci" / "src"
    return not own.is_dir() or (own / reads.PLUGIN.replace(".", "/")).with_suffix(".py").is_file()


class _Recording:
    """Where one run records what each test read (`read_tracker`) and executed (coverage, per test)."""

    def __init__(self, scratch: Path) -> None:
        self.reads = scratch / "reads"
        self.coverage = scratch / "per-test.coverage"
        self.config = scratch / "coveragerc"
        self.config.write_text(f"[run]\ndata_file = {self.coverage}\n", encoding="utf-8")

    def pytest_arguments(self, ctx: StepContext) -> list[str]:
        """The plugin, and coverage of the product's code with per-test contexts (a file of its own, named
        in a configuration of its own, so no process a test starts writes to it)."""
        argv = ["-p", reads.PLUGIN, OUT_OPTION, str(self.reads), f"--cov-config={self.config}"]
        argv += [f"--cov={root}" for root in ctx.existing(impact.MEASURED_ROOTS)]
        return [*argv, "--cov-context=test", "--cov-report=", "--cov-fail-under=0"]

    def env(self, ctx: StepContext) -> dict[str, str]:
        return nested_env(str(ctx.src))
