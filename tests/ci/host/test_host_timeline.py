"""summary.md draws the run as a Mermaid gantt: one bar per step that started, from its start to its end,
cached steps marked as such, failures marked critical, steps that never ran left out."""

from __future__ import annotations

from pathlib import Path

from careervp_ci.host.executor import RunResult, StepResult
from careervp_ci.host.report import summary_markdown, timeline
from careervp_ci.pipeline.steps.context import Status, StepOutcome


def result(name: str, status: Status, started_at: float, seconds: float) -> StepResult:
    return StepResult(name, status, seconds, StepOutcome(status, "msg"), started_at)


def test_the_timeline_draws_each_step_from_its_start_to_its_end_with_cached_steps_marked(
    tmp_path: Path,
) -> None:
    run = RunResult(
        (
            result("format", Status.CACHED, 0.0, 0.05),
            result("typecheck", Status.PASSED, 0.1, 42.0),
            result("unit", Status.FAILED, 0.2, 10.5),
            result("release-local", Status.NEVER_RAN, 0.0, 0.0),
        ),
        {},
    )
    chart = timeline(run)
    assert chart[:2] == ["```mermaid", "gantt"] and chart[-1] == "```"
    assert "    format (cached) :done, format, 0, 50" in chart
    assert "    typecheck (passed) :typecheck, 100, 42100" in chart
    assert "    unit (failed) :crit, unit, 200, 10700" in chart
    assert not [line for line in chart if "release" in line]
    assert "### Timeline" in summary_markdown(run, 1, "careervp-ci ci", tmp_path)


def test_a_run_where_nothing_started_has_no_timeline() -> None:
    run = RunResult((result("unit", Status.NEVER_RAN, 0.0, 0.0),), {})
    assert timeline(run) == []
