"""The one model of the workflows (careervp_ci.github.workflows): triggers, the `needs` graph in the order
the runner starts jobs, reusable workflows of this repository, and the files it refuses with the runner's
words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from careervp_ci.github import workflows
from careervp_ci.github.workflows import WorkflowError

ROOT = Path(__file__).resolve().parents[3]


def write(tree: Path, name: str, text: str) -> Path:
    path = tree / workflows.WORKFLOWS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_jobs_start_when_their_needs_are_done_those_ready_together_in_file_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ci.yml",
        """
on: push
jobs:
  report: {needs: [test, lint], steps: [{run: "true"}]}
  test: {needs: build, steps: [{run: "true"}]}
  build: {steps: [{run: "true"}]}
  lint: {steps: [{run: "true"}]}
""",
    )
    # the runner's queue: build and lint are ready at once (file order), then test, then report
    assert workflows.load(path).ordered() == ["build", "lint", "test", "report"]


@pytest.mark.parametrize(
    ("jobs", "message"),
    [
        ("a: {needs: b}\n  b: {needs: a}", "ci.yml: jobs form a cycle in the dependency graph: "),
        ("a: {needs: ghost}", "ci.yml: job 'a' depends on unknown job 'ghost'"),
    ],
)
def test_a_cycle_or_an_unknown_need_is_refused_naming_the_jobs(
    tmp_path: Path, jobs: str, message: str
) -> None:
    path = write(tmp_path, "ci.yml", f"on: push\njobs:\n  {jobs}\n")
    with pytest.raises(WorkflowError, match=re.escape(message)):
        workflows.load(path).ordered()


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("push", {"push": {}}),
        ("[push, pull_request]", {"push": {}, "pull_request": {}}),
        (
            "{pull_request: {paths: [src/**]}, schedule: }",
            {"pull_request": {"paths": ["src/**"]}, "schedule": {}},
        ),
    ],
)
def test_triggers_read_alike_whichever_way_on_is_written(
    tmp_path: Path, on: str, expected: dict[str, object]
) -> None:
    path = write(tmp_path, "ci.yml", f"on: {on}\njobs:\n  a: {{steps: [{{run: 'true'}}]}}\n")
    assert workflows.load(path).on == expected


def test_a_job_calls_a_reusable_workflow_of_this_repository_in_either_form(tmp_path: Path) -> None:
    write(tmp_path, "_called.yml", "on: {workflow_call: {inputs: {x: {type: string}}}}\njobs:\n  inner: {}\n")
    path = write(
        tmp_path,
        "ci.yml",
        """
on: push
jobs:
  self: {uses: $/.github/workflows/_called.yml}
  local: {uses: ./.github/workflows/_called.yml}
  other: {uses: octo/other/.github/workflows/ci.yml@0123456789abcdef0123456789abcdef01234567}
  steps: {steps: [{run: "true"}]}
""",
    )
    jobs = workflows.load(path).jobs
    for job in ("self", "local"):
        called = workflows.called(tmp_path, jobs[job])
        assert called is not None and list(called.jobs) == ["inner"] and "x" in called.inputs("workflow_call")
    assert workflows.called(tmp_path, jobs["other"]) is None
    assert workflows.called(tmp_path, jobs["steps"]) is None


def test_no_if_is_success_and_a_job_reports_always_only_without_needs_and_if_or_with_always(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "ci.yml",
        """
on: push
jobs:
  first: {}
  gated: {if: "github.event_name == 'push'"}
  after: {needs: first}
  always: {needs: first, if: "${{ always() }}"}
""",
    )
    jobs = workflows.load(path).jobs
    assert jobs["first"].condition == "success()"
    assert {name for name, job in jobs.items() if job.always_reports} == {"first", "always"}


@pytest.mark.parametrize("text", ["just text\n", "on: push\n", "on: [push\n"])
def test_a_file_without_jobs_or_not_yaml_is_refused_naming_it(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "broken.yml", text)
    with pytest.raises(WorkflowError, match=re.escape("broken.yml")):
        workflows.load(path)


def test_every_workflow_of_the_repository_loads_and_orders() -> None:
    loaded = workflows.every(ROOT)
    assert "nightly-maintenance" in {workflow.name for workflow in loaded}
    for workflow in loaded:
        assert sorted(workflow.ordered()) == sorted(workflow.jobs)
