"""How every test suite runs: pytest with JUnit XML, a printed (pinnable) random-order seed, retries only
for tests marked `flaky` (pytest-rerunfailures' marker; every rerun is reported), and optional coverage data
for the `coverage` step to combine.

`unit`, `integration`, `regression` and `e2e` are each declared in their own module with this runner.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from careervp_ci.host.cache import FileDigests, input_files
from careervp_ci.pipeline import junit_report
from careervp_ci.pipeline.changes import impact
from careervp_ci.pipeline.steps.context import StepContext, StepOutcome, first_useful_lines
from careervp_ci.pipeline.steps.model import Option, Step

SEED_ENV = "CAREERVP_SEED"
NO_TESTS_COLLECTED = 5

PYTEST_TOOLS = (
    "pytest",
    "pytest-randomly",
    "pytest-rerunfailures",
    "pytest-timeout",
    "pytest-cov",
    "coverage",
    "moto",
)
"""What every pytest step runs with (its plugins, the emulator its tests start): in each one's cache key."""
SELECTION_OPTIONS = (
    Option("marker", "pytest -m expression selecting tests (e.g. 'not slow')"),
    Option("keyword", "pytest -k expression selecting tests (e.g. 'gap or company_research')"),
    Option(
        "seed",
        f"random-order seed; default: ${SEED_ENV} or a fresh one (always printed so a run can be replayed)",
        keyed=False,
    ),
)

PATHS_OPTION = Option(
    "paths",
    "space-separated test files, folders or node ids to run instead of the whole suite; a selection "
    "that collects no test fails (a phase's blueprint names its tests this way; no coverage data)",
)
"""A suite's own tests by path (`careervp_ci.pipeline.phases`); the pipeline's tests take only
SELECTION_OPTIONS."""

_RERUN = re.compile(r"^(RERUN|R)\s+(\S+::\S+)|(\S+::\S+)\s+RERUN")
_VERDICT = re.compile(r"^(FAILED|ERROR)\s")


def coverage_data_file(report_dir_name: str) -> str:
    """Name of the coverage data a suite leaves in its report folder (what `coverage` combines)."""
    return f"{report_dir_name}.coverage"


def choose_seed(ctx: StepContext) -> str:
    """The pinned seed (option, then environment) or a fresh random one."""
    pinned = ctx.option("seed") or os.environ.get(SEED_ENV)
    if pinned:
        if not pinned.isdigit():
            raise ValueError(
                f"seed must be a non-negative integer, got {pinned!r} (from --seed or ${SEED_ENV})"
            )
        return pinned
    return str(secrets.randbelow(2**32))


def failure_lines(output: str, junit: Path, src: Path) -> tuple[str, ...]:
    """pytest's FAILED/ERROR summary lines first, each with its message (from the JUnit report where the
    summary had no room for it), then file:line locations."""
    messages = junit_report.failure_messages(junit, src)
    verdicts: dict[str, str] = {}
    for line in output.splitlines():
        if _VERDICT.match(line):
            test = line.split(" - ", 1)[0]
            if len(line) > len(verdicts.get(test, "")):
                verdicts[test] = line
    lines = []
    for test, line in verdicts.items():
        test_id = test.split()[-1]
        lines.append(line if " - " in line or test_id not in messages else f"{line} - {messages[test_id]}")
    return tuple(lines[:10]) + first_useful_lines(output, limit=6)


def reruns(output: str) -> list[str]:
    """Tests pytest-rerunfailures retried, one entry per retry."""
    found = []
    for line in output.splitlines():
        match = _RERUN.search(line.strip())
        if match:
            found.append(match.group(2) or match.group(3))
    return found


def runner(
    folder: str, inputs: tuple[str, ...], *, with_coverage: bool
) -> Callable[[StepContext], StepOutcome]:
    """A step body running the tests in `folder` with the context's selection options; suites with
    coverage re-run only the tests a change can reach (`careervp_ci.pipeline.changes.impact`) once a full
    run mapped them."""

    def run(ctx: StepContext) -> StepOutcome:
        if not (ctx.src / folder).is_dir():
            return ctx.passed(f"no tests: {folder} does not exist")
        named = (ctx.option("paths") or "").split()
        if missing := [path for path in named if not (ctx.src / path.split("::")[0]).exists()]:
            return ctx.failed(f"--paths names tests that do not exist: {', '.join(missing)}")
        seed = choose_seed(ctx)
        impact_run = _ImpactRun.start(ctx, inputs) if with_coverage and not named else None
        targets = list(impact_run.selection.test_files) if impact_run else named
        argv = ["pytest", *(targets or [folder]), f"--randomly-seed={seed}", "-rfER", "-q"]
        argv += ["--junitxml", str(ctx.report_dir / "junit.xml")]
        env: dict[str, str] = {}
        if impact_run:
            argv += impact_run.pytest_arguments()
            env["COVERAGE_FILE"] = str(impact_run.raw)
        if marker := ctx.option("marker"):
            argv += ["-m", marker]
        if keyword := ctx.option("keyword"):
            argv += ["-k", keyword]
        result = ctx.run(argv, env=env)
        notes = [f"random-order seed {seed} (replay with --seed {seed} or {SEED_ENV}={seed})"]
        notes += [f"retried flaky test {test}" for test in reruns(result.output)]
        if named and result.returncode == NO_TESTS_COLLECTED:
            outcome = ctx.failed(f"the selection collected no test in {' '.join(named)}", result)
            return StepOutcome(
                outcome.status, outcome.message, outcome.details, outcome.reproduce, tuple(notes)
            )
        passed = result.ok or result.returncode == NO_TESTS_COLLECTED
        if impact_run:
            notes.append(impact_run.finish(passed))
        if result.returncode == NO_TESTS_COLLECTED:
            return ctx.passed(f"no tests collected in {folder} for this selection", notes=notes)
        if result.ok:
            summary = next((ln for ln in reversed(result.output.splitlines()) if " passed" in ln), "passed")
            return ctx.passed(summary.strip("= "), notes=notes)
        outcome = ctx.failed(
            f"tests failed in {folder}",
            result,
            details=failure_lines(result.output, ctx.report_dir / "junit.xml", ctx.src),
        )
        return StepOutcome(outcome.status, outcome.message, outcome.details, outcome.reproduce, tuple(notes))

    return run


@dataclass
class _ImpactRun:
    """One suite run's coverage: measured per test, turned into the `coverage` step's data and, after a
    full pass, into the test-impact map."""

    ctx: StepContext
    inputs: dict[str, str]
    selection: impact.Selection
    mapped: Path | None

    @classmethod
    def start(cls, ctx: StepContext, patterns: tuple[str, ...]) -> _ImpactRun:
        digests = FileDigests(ctx.src)
        inputs = {path: digests(path) for path in input_files(ctx.src, patterns)}
        if ctx.state_dir is None:
            selection = impact.Selection((), "full run: no result cache (--no-cache), so no map", ())
            return cls(ctx, inputs, selection, None)
        mapped = impact.state_dir(ctx.state_dir, ctx.step, ctx.options)
        return cls(ctx, inputs, impact.select(ctx.src, inputs, mapped), mapped)

    @property
    def raw(self) -> Path:
        return self.ctx.report_dir / "per-test.coverage"

    def pytest_arguments(self) -> list[str]:
        measured = [f"--cov={root}" for root in self.ctx.existing(impact.MEASURED_ROOTS)]
        argv = [*(measured or ["--cov"]), "--cov-context=test", "--cov-report=", "--cov-fail-under=0"]
        for test in self.selection.deselect:
            argv += ["--deselect", test]
        return argv

    def finish(self, passed: bool) -> str:
        """Write the suite's coverage data (and, after a full pass, the map); the note saying what ran."""
        data = self.ctx.report_dir / coverage_data_file(self.ctx.step)
        fresh = self.ctx.report_dir / "selected.coverage"
        measured = self.raw.is_file()
        if measured:
            impact.floor_data(self.raw, self.ctx.src, data if self.selection.full else fresh)
        if passed and self.mapped and self.selection.full and measured:
            collected = junit_report.test_ids(self.ctx.report_dir / "junit.xml", self.ctx.src)
            impact.record(self.ctx.src, self.raw, self.inputs, collected, self.mapped)
            impact.keep_baseline(data, self.mapped)
        elif passed and self.mapped and not self.selection.full:
            impact.merged_data(self.mapped, fresh, self.selection.changed, self.ctx.src, data)
        for scratch in (self.raw, fresh):
            scratch.unlink(missing_ok=True)
        report = {
            "reason": self.selection.reason,
            "changed": self.selection.changed,
            "skipped": self.selection.deselect,
        }
        (self.ctx.report_dir / "impact.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
        return f"test impact: {self.selection.reason}"


def suite_step(
    name: str,
    folder: str,
    summary: str,
    inputs: tuple[str, ...],
    *,
    with_coverage: bool,
    cacheable: bool = True,
    needs_browser: bool = False,
) -> Step:
    """Declare a pytest suite as a step."""
    reports = ("junit.xml", coverage_data_file(name)) if with_coverage else ("junit.xml",)
    return Step(
        name=name,
        summary=summary,
        run=runner(folder, inputs, with_coverage=with_coverage),
        inputs=inputs,
        options=(*SELECTION_OPTIONS, PATHS_OPTION),
        tools=PYTEST_TOOLS,
        reports=reports,
        cacheable=cacheable,
        needs_browser=needs_browser,
        suite=folder,
    )
