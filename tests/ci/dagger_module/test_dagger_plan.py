"""One Plan, two schedulers: for every profile and every phase, the jobs `dagger call ci` starts run exactly
the Plan the host runs: the same steps, each once, with the same options, waiting for the same steps.

The Dagger side is read as the module runs it, engine-free: the job list `dagger_module.plan` prints in the
setup container, each job's wait list, and the command each job's container runs (from the module's lazy
query), parsed by the host's own `careervp-ci` parser into the Plan that command executes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence

import anyio
import dagger
import pytest
from careervp_ci.dagger_module import plan as dagger_plan
from careervp_ci.dagger_module.failures import StepFailed
from careervp_ci.dagger_module.jobs import needed_by, run_job, schedule
from careervp_ci.dagger_module.plan import Job, Jobs
from careervp_ci.host.cli import build_parser, ci_request
from careervp_ci.pipeline import phases
from careervp_ci.pipeline.profiles import PROFILES
from careervp_ci.pipeline.resolve import Request, resolve
from support.dagger_recipes import calls, execs, recorded_run, tree

Schedule = dict[str, tuple[frozenset[str], dict[str, str | None]]]
"""step -> (the steps it waits for, its options): what a scheduler starts, after what, with what."""
RUNS = {"defaults": [], "seed and base ref": ["--seed", "7", "--base-ref", "origin/main"]}
REQUESTS = [["--profile", name] for name in PROFILES] + [["--phase", entry] for entry in phases.PHASES]


def host_schedule(argv: Sequence[str]) -> Schedule:
    """What the host executor schedules for `careervp-ci ci <argv>`: the Plan's nodes, options and edges."""
    parser, _ = build_parser(with_release=False)
    (run,) = resolve(ci_request(parser.parse_args(["ci", *argv]))).runs
    edges = run.plan.edges
    return {
        node: (frozenset(need for step, need in edges if step == node), dict(run.plan.options[node]))
        for node in run.plan.nodes
    }


def printed_jobs(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> Jobs:
    """What `python -m careervp_ci.dagger_module.plan PROFILE [PHASE]` prints for `ci` to read."""
    flag, name = argv
    assert dagger_plan.main(["pr", name] if flag == "--phase" else [name]) == 0
    return Jobs.listed(capsys.readouterr().out)


def job_command(job: Job, extra: Sequence[str], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The command the module runs in `job`'s container for `ci` with `extra` arguments (no engine)."""
    seen = recorded_run(monkeypatch)
    options = dict(zip(extra[::2], extra[1::2], strict=True))
    handed = {need: dagger.dag.container() for need in job.given}
    asyncio.run(
        run_job(
            tree(), job, handed, seed=options.get("--seed"), base_ref=options.get("--base-ref"), git=tree()
        )
    )
    return execs(seen[-1])[-1]


def dagger_schedule(jobs: Sequence[Job], commands: Sequence[Sequence[str]]) -> Schedule:
    """What `ci` schedules: each job's wait list, and the step and options its command runs; a step that two
    jobs run, or a job that runs more than its step, is named."""
    found: Schedule = {}
    for job, argv in zip(jobs, commands, strict=True):
        parser, _ = build_parser(with_release=False)
        (run,) = resolve(ci_request(parser.parse_args(argv[1:]))).runs
        assert run.plan.nodes == (job.step,), f"the {job.step} job runs {run.plan.nodes}"
        assert job.step not in found, f"{job.step} runs in two jobs"
        found[job.step] = (frozenset(job.needs), dict(run.plan.options[job.step]))
    return found


def differences(host: Schedule, module: Schedule) -> list[str]:
    """Each disagreement, named for the person who has to fix it."""
    found = [f"{step}: only the host runs it" for step in sorted(host.keys() - module.keys())]
    found += [f"{step}: only Dagger runs it" for step in sorted(module.keys() - host.keys())]
    for step in sorted(host.keys() & module.keys()):
        (host_needs, host_options), (module_needs, module_options) = host[step], module[step]
        if host_needs != module_needs:
            found.append(
                f"{step}: waits for {sorted(host_needs)} on the host, {sorted(module_needs)} in Dagger"
            )
        if host_options != module_options:
            found.append(f"{step}: options {host_options} on the host, {module_options} in Dagger")
    return found


@pytest.mark.parametrize("run", sorted(RUNS))
@pytest.mark.parametrize("request_argv", REQUESTS, ids=" ".join)
def test_dagger_schedules_the_hosts_plan_for_every_profile_and_phase(
    request_argv: list[str], run: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = RUNS[run]
    jobs = printed_jobs(request_argv, capsys).jobs
    commands = [job_command(job, extra, monkeypatch) for job in jobs]
    assert differences(host_schedule([*request_argv, *extra]), dagger_schedule(jobs, commands)) == []


def test_the_comparison_names_a_missing_step_other_options_and_a_dropped_edge(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = [job for job in printed_jobs(["--profile", "pr"], capsys).jobs if job.step != "docs"]
    altered = [
        Job(job.step, (), job.given, job.options, profile="main")
        if job.step == "integration"
        else Job(job.step, (), job.given, job.options, profile=job.profile)
        if job.step == "coverage"
        else job
        for job in jobs
    ]
    commands = [job_command(job, [], monkeypatch) for job in altered]
    found = differences(host_schedule(["--profile", "pr"]), dagger_schedule(altered, commands))
    assert found == [
        "docs: only the host runs it",
        "coverage: waits for ['integration', 'unit'] on the host, [] in Dagger",
        "integration: options {'marker': 'not slow', 'keyword': None, 'seed': None, 'paths': None} "
        "on the host, {'marker': None, 'keyword': None, 'seed': None, 'paths': None} in Dagger",
    ]


def test_a_job_runs_its_step_alone_handed_what_its_needs_left(monkeypatch: pytest.MonkeyPatch) -> None:
    """coverage runs once, after unit and integration, reading their reports instead of running them."""
    (coverage,) = [job for job in dagger_plan.request_jobs(Request("pr")).jobs if job.step == "coverage"]
    handed = {need: dagger.dag.container() for need in coverage.given}
    seen = recorded_run(monkeypatch)
    asyncio.run(run_job(tree(), coverage, handed, seed=None, base_ref=None, git=tree()))
    copied = [args["path"] for name, args in calls(seen[-1]) if name == "withDirectory"]
    assert {"/src/.reports/unit", "/src/.reports/integration"} <= {path.replace("//", "/") for path in copied}
    assert execs(seen[-1])[-1] == [
        *("careervp-ci", "ci", "--profile", "pr", "--only", "coverage"),
        *("--given", "unit", "--given", "integration"),
    ]


def test_a_job_starts_only_after_the_jobs_it_waits_for_and_each_runs_once() -> None:
    jobs = dagger_plan.request_jobs(Request("main")).jobs
    order: list[str] = []

    async def start(job: Job, handed: Mapping[str, dagger.Container]) -> dagger.Container:
        assert set(handed) == set(job.given)
        await anyio.sleep(0.01 if job.step in {"unit", "synth"} else 0)
        order.append(job.step)
        return dagger.dag.container()

    done = asyncio.run(schedule(jobs, start))
    assert sorted(order) == sorted(job.step for job in jobs)
    for job in jobs:
        assert all(order.index(need) < order.index(job.step) for need in job.needs), job.step
    assert order[-1] == "release-local"
    assert not done.failures


def test_a_failed_job_stops_the_jobs_that_wait_for_it() -> None:
    jobs = dagger_plan.request_jobs(Request("pr")).jobs
    started: list[str] = []

    async def start(job: Job, _: Mapping[str, dagger.Container]) -> dagger.Container:
        started.append(job.step)
        if job.step == "unit":
            raise StepFailed("unit failed")
        await anyio.sleep(1)
        return dagger.dag.container()

    done = asyncio.run(schedule(jobs, start))
    assert done.failures == ["unit failed"]
    assert "coverage" not in started
    assert done.results == {"unit": "failed"}


def test_job_runs_a_step_with_the_jobs_it_waits_for_only() -> None:
    jobs = dagger_plan.request_jobs(Request("pr")).jobs
    assert [job.step for job in needed_by(jobs, "coverage")] == ["unit", "integration", "coverage"]
    assert [job.step for job in needed_by(jobs, "naming")] == ["synth", "naming"]


def test_the_plan_listing_refuses_an_unknown_profile_naming_the_valid_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert dagger_plan.main(["weekly"]) == 2
    assert "unknown profile 'weekly'; valid profiles: pr, main" in capsys.readouterr().err


def test_the_plan_listing_names_the_resolved_profile_of_a_phase(capsys: pytest.CaptureFixture[str]) -> None:
    assert dagger_plan.main(["pr", "12"]) == 0
    assert json.loads(capsys.readouterr().out)["profile"] == "phase-12"
