"""One Plan, two executors: for every profile, the jobs `dagger call ci` starts run exactly the Plan the host
runs (the same steps, each waiting for the same steps, with the same options).

The Dagger side is read as the module runs it, engine-free: the job list `dagger_module.plan` prints in the
setup container, then the command each job's container runs (from the module's lazy query), parsed by the
host's own `careervp-ci` parser into the Plan that command executes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from careervp_ci.dagger_module import plan as dagger_plan
from careervp_ci.dagger_module.main import Careervp
from careervp_ci.host.cli import build_parser, profile_plan
from careervp_ci.pipeline.profiles import PROFILES
from support.dagger_recipes import execs, recorded_run, tree

Graph = dict[str, tuple[frozenset[str], dict[str, str | None]]]
"""step -> (the steps it waits for, its options)."""
RUNS = {"defaults": [], "seed and base ref": ["--seed", "7", "--base-ref", "origin/main"]}


def planned(argv: Sequence[str]) -> Graph:
    """The Plan `careervp-ci <argv>` executes, as a graph."""
    parser, _ = build_parser(with_release=False)
    plan, _ = profile_plan(parser.parse_args(list(argv)))
    return {step.name: (frozenset(plan.needs(step)), dict(plan.options[step.name])) for step in plan.steps}


def printed_jobs(profile: str, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """What `python -m careervp_ci.dagger_module.plan PROFILE` prints for `ci` to read."""
    assert dagger_plan.main([profile]) == 0
    jobs: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return jobs


def job_command(job: Mapping[str, Any], extra: Sequence[str], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The command the module runs in `job`'s container for `ci` with `extra` arguments (no engine)."""
    seen = recorded_run(monkeypatch)
    options = dict(zip(extra[::2], extra[1::2], strict=True))
    seed, base_ref = options.get("--seed"), options.get("--base-ref")
    asyncio.run(Careervp()._planned(tree(), job, seed=seed, base_ref=base_ref, git=tree()))
    return execs(seen[-1])[-1]


def dagger_graph(jobs: Sequence[Mapping[str, Any]], commands: Sequence[Sequence[str]]) -> Graph:
    """The steps the jobs' commands run; a final job starts once every other job passed, so its steps also
    wait for every step of the other jobs."""
    graph: Graph = {}
    gates = frozenset(
        step
        for job, argv in zip(jobs, commands, strict=True)
        if not job["final"]
        for step in planned(argv[1:])
    )
    for job, argv in zip(jobs, commands, strict=True):
        for step, (needs, options) in planned(argv[1:]).items():
            entry = (needs | gates - {step} if job["final"] else needs, options)
            if graph.setdefault(step, entry) != entry:
                graph[step] = (frozenset({"<two jobs run it differently>"}), {})
    return graph


def differences(host: Graph, module: Graph) -> list[str]:
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
@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_dagger_runs_the_hosts_plan_for_every_profile(
    profile: str, run: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = RUNS[run]
    jobs = printed_jobs(profile, capsys)
    commands = [job_command(job, extra, monkeypatch) for job in jobs]
    host = planned(["ci", "--profile", profile, *extra])
    assert differences(host, dagger_graph(jobs, commands)) == []


def test_the_comparison_names_a_job_that_runs_other_options_or_is_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = [job for job in printed_jobs("pr", capsys) if job["step"] != "docs"]
    for job in jobs:
        if job["step"] == "coverage":
            job["profile"] = "main"
    commands = [job_command(job, [], monkeypatch) for job in jobs]
    found = differences(planned(["ci", "--profile", "pr"]), dagger_graph(jobs, commands))
    assert found == [
        "docs: only the host runs it",
        "integration: options {'marker': 'not slow', 'keyword': None, 'seed': None, 'paths': None} "
        "on the host, {'marker': None, 'keyword': None, 'seed': None, 'paths': None} in Dagger",
    ]


def test_the_comparison_names_a_final_step_dagger_would_start_early() -> None:
    host: Graph = {"lint": (frozenset(), {}), "release-local": (frozenset({"lint"}), {})}
    module: Graph = {"lint": (frozenset(), {}), "release-local": (frozenset(), {})}
    assert differences(host, module) == ["release-local: waits for ['lint'] on the host, [] in Dagger"]


def test_a_job_lists_each_step_it_runs_with_the_plans_options(capsys: pytest.CaptureFixture[str]) -> None:
    (coverage,) = [job for job in printed_jobs("gap-remediation", capsys) if job["step"] == "coverage"]
    assert coverage["covers"] == ["unit", "integration"]
    assert coverage["options"]["integration"] == {"keyword": "gap or company_research"}
    assert set(coverage["options"]) == {"unit", "integration", "coverage"}
