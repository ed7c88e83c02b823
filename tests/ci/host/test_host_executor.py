"""The host executor: dependency order, parallelism, fail-fast with never-ran reporting, and exit codes.

In-process tests drive the executor with small synthetic steps (each still runs real subprocesses); the
CLI tests run `careervp-ci` itself on the fixture project.
"""

from __future__ import annotations

import io
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from careervp_ci.host.cache import ResultCache
from careervp_ci.host.executor import HostExecutor, RunResult
from careervp_ci.host.progress import PlainProgress
from careervp_ci.host.report import exit_code, summary_markdown, verdict
from careervp_ci.pipeline.plan import build_plan
from careervp_ci.pipeline.profiles import PROFILES
from careervp_ci.pipeline.steps.context import Status, StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step
from support.fixture_project import CliRunner, write


def python_step(name: str, code: str, needs: tuple[str, ...] = ()) -> Step:
    def run(ctx: StepContext) -> StepOutcome:
        result = ctx.run(["python", "-c", code])
        return ctx.passed("ok") if result.ok else ctx.failed(f"{name} broke", result)

    return Step(name=name, summary=name, run=run, inputs=(), needs=needs)


def execute(
    tmp_path: Path,
    steps: list[Step],
    *,
    workers: int = 2,
    cache: bool = False,
    final: tuple[str, ...] = (),
    accepted_unverified: frozenset[str] = frozenset(),
) -> tuple[RunResult, str]:
    catalogue = {step.name: step for step in steps}
    stream = io.StringIO()
    store = ResultCache(tmp_path / "cache") if cache else None
    executor = HostExecutor(
        tmp_path,
        tmp_path / "reports",
        store,
        PlainProgress(stream),
        workers=workers,
        accepted_unverified=accepted_unverified,
    )
    return executor.run(build_plan(catalogue, list(catalogue), final=final)), stream.getvalue()


def statuses(run: RunResult) -> dict[str, Status]:
    return {result.name: result.status for result in run.results}


def test_a_step_starts_only_after_what_it_needs_has_passed(tmp_path: Path) -> None:
    stamp = tmp_path / "order.txt"
    write_stamp: Callable[[str], str] = lambda tag: f"open({str(stamp)!r}, 'a').write({tag!r})"  # noqa: E731
    steps = [
        python_step("second", write_stamp("2"), needs=("first",)),
        python_step("first", f"import time; time.sleep(0.3); {write_stamp('1')}"),
    ]
    run, _ = execute(tmp_path, steps)
    assert statuses(run) == {"first": Status.PASSED, "second": Status.PASSED}
    assert stamp.read_text() == "12"


def test_independent_steps_run_in_parallel(tmp_path: Path) -> None:
    steps = [python_step(f"s{i}", "import time; time.sleep(1)") for i in range(2)]
    started = time.monotonic()
    run, _ = execute(tmp_path, steps, workers=2)
    assert exit_code(run) == 0
    assert time.monotonic() - started < 1.9


def test_first_failure_stops_running_steps_and_reports_those_that_never_ran(tmp_path: Path) -> None:
    steps = [
        python_step("slow", "import time; time.sleep(30)"),
        python_step("broken", "import sys; print('app.py:3: boom'); sys.exit(1)"),
        python_step("later", "pass"),
        python_step("dependent", "pass", needs=("broken",)),
    ]
    started = time.monotonic()
    run, log = execute(tmp_path, steps, workers=2)
    assert time.monotonic() - started < 10
    assert statuses(run) == {
        "slow": Status.STOPPED,
        "broken": Status.FAILED,
        "later": Status.NEVER_RAN,
        "dependent": Status.NEVER_RAN,
    }
    assert exit_code(run) == 1
    failure = next(r for r in run.results if r.name == "broken").outcome
    assert failure.details == ("app.py:3: boom",)
    assert failure.reproduce.endswith(
        "python -c 'import sys; print('\"'\"'app.py:3: boom'\"'\"'); sys.exit(1)'"
    )
    assert "later never ran" in log
    summary = summary_markdown(run, 1, "test", tmp_path / "reports")
    assert "| · `later` | never ran |" in summary
    assert "Reproduce locally" in summary


def test_a_crashing_step_is_a_failure_with_its_traceback(tmp_path: Path) -> None:
    def crash(ctx: StepContext) -> StepOutcome:
        raise RuntimeError("bad config value 'x'")

    run, _ = execute(tmp_path, [Step(name="crash", summary="", run=crash, inputs=())])
    outcome = run.results[0].outcome
    assert run.results[0].status is Status.FAILED
    assert "RuntimeError: bad config value 'x'" in outcome.message


def test_a_step_that_cannot_be_keyed_fails_with_its_traceback_and_stops_the_run(tmp_path: Path) -> None:
    def unreadable(src: Path, options: object) -> str:
        raise KeyError("a finder cache entry")

    keyless = Step(
        name="keyless", summary="", run=lambda ctx: ctx.passed("ok"), inputs=(), key_extra=unreadable
    )
    steps = [keyless, python_step("slow", "import time; time.sleep(30)")]
    started = time.monotonic()
    run, _ = execute(tmp_path, steps, workers=2)
    assert time.monotonic() - started < 10
    assert statuses(run) == {"keyless": Status.FAILED, "slow": Status.STOPPED}
    outcome = run.results[0].outcome
    assert outcome.message == "the step crashed: KeyError: 'a finder cache entry'"
    assert any("raise KeyError" in line for line in outcome.details)


def test_unverified_is_never_green_unless_explicitly_allowed(tmp_path: Path) -> None:
    def offline(ctx: StepContext) -> StepOutcome:
        return ctx.unverified("service unreachable")

    run, _ = execute(tmp_path, [Step(name="audit", summary="", run=offline, inputs=())], cache=True)
    assert exit_code(run) == 1
    assert exit_code(run, allow_unverified=["audit"]) == 0
    assert verdict(run, 1) == "NOT VERIFIED"
    assert verdict(run, 0) == "PASSED, except UNVERIFIED (allowed): audit"
    assert summary_markdown(run, 0, "t", tmp_path / "reports").startswith(
        "## t: PASSED, except UNVERIFIED (allowed): audit"
    )
    assert not list((tmp_path / "cache").glob("*/outcome.json"))


def test_a_final_step_waits_for_every_other_step_and_an_accepted_unverified_one(tmp_path: Path) -> None:
    stamp = tmp_path / "order.txt"

    def offline(ctx: StepContext) -> StepOutcome:
        return ctx.unverified("service unreachable")

    steps = [
        python_step("release", f"open({str(stamp)!r}, 'a').write('R')"),
        python_step("gate", f"import time; time.sleep(0.5); open({str(stamp)!r}, 'a').write('G')"),
        Step(name="audit", summary="", run=offline, inputs=()),
    ]
    blocked, _ = execute(tmp_path, steps, final=("release",))
    assert statuses(blocked)["release"] is Status.NEVER_RAN
    assert blocked.results[-1].outcome.message == "needs audit, which did not pass"
    accepted, _ = execute(tmp_path, steps, final=("release",), accepted_unverified=frozenset({"audit"}))
    assert statuses(accepted)["release"] is Status.PASSED
    assert stamp.read_text() == "G" + "GR"


def test_pr_profile_passes_cold_then_comes_entirely_from_the_cache(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    cold = careervp_ci("ci", "--profile", "pr", cwd=fixture_tree)
    assert cold.returncode == 0, cold.stdout + cold.stderr
    steps = len(PROFILES["pr"].steps)
    assert f"PASSED: {steps} passed" in cold.stdout
    warm = careervp_ci("ci", "--profile", "pr", cwd=fixture_tree)
    assert warm.returncode == 0, warm.stdout + warm.stderr
    ran_again = [line for line in warm.stdout.splitlines() if line.startswith("✔") and " cached" not in line]
    assert f"PASSED: {steps} cached" in warm.stdout, f"not from the cache: {ran_again}"
    reports = fixture_tree / ".reports"
    for report in ("coverage/coverage.xml", "unit/junit.xml", "synth/cfn-lint.sarif", "summary.md"):
        assert (reports / report).is_file(), report
    gatekeeper = fixture_tree / "src/backend/scripts/validate_naming.py"
    gatekeeper.write_text(gatekeeper.read_text() + "# edited\n")
    shutil.rmtree(fixture_tree / ".careervp/cdk.out")
    naming = careervp_ci("naming", cwd=fixture_tree)
    assert "synth cached" in naming.stdout
    assert "naming passed" in naming.stdout, naming.stdout


def test_planted_lint_error_fails_ci_and_names_the_file(fixture_tree: Path, careervp_ci: CliRunner) -> None:
    write(fixture_tree, "src/backend/careervp/planted.py", '"""x."""\n\nimport os\n')
    result = careervp_ci("ci", "--profile", "pr", cwd=fixture_tree)
    assert result.returncode == 1
    assert "src/backend/careervp/planted.py:3:8: F401" in result.stdout
    assert "reproduce: uv run ruff check" in result.stdout


def test_planted_type_error_fails_ci_and_names_the_file(fixture_tree: Path, careervp_ci: CliRunner) -> None:
    write(fixture_tree, "src/backend/careervp/planted.py", '"""x."""\n\n\ndef f() -> int:\n    return "s"\n')
    result = careervp_ci("ci", "--profile", "pr", "--workers", "1", cwd=fixture_tree)
    assert result.returncode == 1
    assert "src/backend/careervp/planted.py:5: error" in result.stdout
    assert "typecheck: FAILED" in result.stdout


def test_planted_failing_test_fails_ci_and_names_the_test(fixture_tree: Path, careervp_ci: CliRunner) -> None:
    write(
        fixture_tree, "tests/unit/test_planted.py", 'def test_planted() -> None:\n    assert len("ab") == 3\n'
    )
    result = careervp_ci("ci", "--profile", "pr", "--workers", "1", cwd=fixture_tree)
    assert result.returncode == 1
    assert "FAILED tests/unit/test_planted.py::test_planted" in result.stdout
    assert "--randomly-seed=" in result.stdout


def test_unknown_step_and_profile_exit_2_listing_the_valid_ones(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    step = careervp_ci("lnt", cwd=fixture_tree)
    profile = careervp_ci("ci", "--profile", "weekly", cwd=fixture_tree)
    suite = careervp_ci("test", "--suite", "smoke", cwd=fixture_tree)
    assert (step.returncode, profile.returncode, suite.returncode) == (2, 2, 2)
    assert "unknown step 'lnt'; valid steps: format, lint," in step.stderr
    assert "unknown profile 'weekly'; valid profiles: pr, main, nightly, gap-remediation" in profile.stderr
    assert "unknown suite 'smoke'" in suite.stderr


def test_github_step_summary_receives_the_markdown(fixture_tree: Path, careervp_ci: CliRunner) -> None:
    target = fixture_tree.parent / "step-summary.md"
    result = careervp_ci("format", cwd=fixture_tree, env={"GITHUB_STEP_SUMMARY": str(target)})
    assert result.returncode == 0
    assert "| ✔ `format` | passed |" in target.read_text()


def test_a_step_whose_needs_are_given_runs_alone_on_what_they_left_and_is_never_cached(
    tmp_path: Path,
) -> None:
    """A Dagger job: `synth` passed in another container and its output was handed in; `naming` runs once,
    reads it, and stores no pass (its key cannot cover what the given step left)."""
    (tmp_path / "assembly").write_text("from the other container")
    reader = python_step("reader", "assert open('assembly').read() == 'from the other container'", ("maker",))
    catalogue = {"maker": python_step("maker", "raise SystemExit(1)"), "reader": reader}
    store = ResultCache(tmp_path / "cache")
    executor = HostExecutor(tmp_path, tmp_path / "reports", store, PlainProgress(io.StringIO()))
    for _ in range(2):
        run = executor.run(build_plan(catalogue, ["reader"], given=["maker"]))
        assert statuses(run) == {"reader": Status.PASSED}
