"""How `dagger call ci` runs the Plan's jobs: each step in its own container, started once the jobs it waits
for passed and handed what they left (their reports and outputs); the first failure stops the rest.

The jobs come from the tree under test (`careervp_ci.dagger_module.plan`, run in the setup container); a job
runs the host's own `ci` narrowed to its one step, so it runs the Plan the host would, with the host's
options, and its result cache in the container (a pass leaves an entry there, outside the tree). That
container is the same with or without a result store: the store is read by a probe before it and, trusted,
written by a publish after a pass, each an exec of its own (`careervp_ci.dagger_module.result_store`), so a
run without a store and one with it share the engine's cache.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

import anyio
import dagger

from careervp_ci.dagger_module.containers import base, run
from careervp_ci.dagger_module.failures import StepFailed
from careervp_ci.dagger_module.plan import Job, Jobs, left_by
from careervp_ci.dagger_module.result_store import (
    FROM_STORE,
    LOCAL_CACHE,
    ResultStore,
    probe,
    publish,
    toolchain_digest,
)
from careervp_ci.dagger_module.setup import WORKDIR
from careervp_ci.host.cache import CACHE_ENV
from careervp_ci.pipeline.steps.context import DISCARDED_ENV

Start = Callable[[Job, Mapping[str, dagger.Container]], Awaitable[dagger.Container]]
"""Runs one job, given the finished containers of the jobs it waits for."""


def job_argv(job: Job, *, seed: str | None, base_ref: str | None) -> list[str]:
    """`careervp-ci ci --profile P --only STEP [--given NEED ...]`: the host's own `ci`, narrowed to one step
    of the profile's Plan, its needs handed in."""
    argv = ["careervp-ci", "ci", "--profile", job.profile, "--only", job.step]
    for need in job.given:
        argv += ["--given", need]
    argv += ["--seed", seed] if seed else []
    return argv + (["--base-ref", base_ref] if base_ref is not None else [])


async def listed_jobs(src: dagger.Directory, profile: str, phase: str | None = None) -> Jobs:
    """The request's jobs, planned in the toolchain from the tree under test (`dagger_module.plan`)."""
    argv = ["python", "-m", "careervp_ci.dagger_module.plan", profile, *([phase] if phase else [])]
    return Jobs.listed(await (await base(src)).with_exec(argv).stdout())


@dataclass(frozen=True)
class JobRun:
    """A finished job: the container the jobs after it are handed, whether its pass came from the result
    store, and what the summary notes (an entry of the store refused)."""

    container: dagger.Container
    from_store: bool = False
    notes: tuple[str, ...] = ()


async def run_job(
    src: dagger.Directory,
    job: Job,
    handed: Mapping[str, dagger.Container],
    *,
    seed: str | None,
    base_ref: str | None,
    git: dagger.Directory,
    store: ResultStore | None = None,
) -> JobRun:
    """One job's container: the tree, what the jobs it needs left, and .git and the ref only for a step that
    compares with a base ref (so no other job's cache key moves with the checkout's history); Chromium for
    a step that drives it, git for one whose tests build repositories; the host's result cache outside the
    tree, marked as dying with the container (no step records state only a later run would read). With a
    store, a probe may restore the step's pass instead, and a trusted run publishes its pass; not for a job
    handed its needs' folders, whose step the host never caches."""
    container = await base(src, browser=job.needs_browser, git=job.needs_git)
    for need in job.given:
        for folder in left_by(need):
            container = container.with_directory(f"{WORKDIR}/{folder}", handed[need].directory(folder))
    if job.reads_history and base_ref is not None:
        container = container.with_directory(f"{WORKDIR}/.git", git)
    else:
        base_ref = None
    container = container.with_env_variable(CACHE_ENV, LOCAL_CACHE).with_env_variable(DISCARDED_ENV, "1")
    argv = job_argv(job, seed=seed, base_ref=base_ref)
    if store is None or job.given:
        return JobRun(await run(argv, container))
    namespace = await toolchain_digest(src, browser=job.needs_browser, git=job.needs_git)
    restored, notes = await probe(store, namespace, container, argv, job.step)
    if restored is not None:
        return JobRun(restored, from_store=True, notes=tuple(notes))
    ran = await run(argv, container)
    return JobRun(ran, notes=(*notes, *await publish(store, namespace, ran, argv)))


@dataclass
class Schedule:
    """The jobs' containers and verdicts, filled as the jobs finish."""

    containers: dict[str, dagger.Container] = field(default_factory=dict)
    results: dict[str, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the summary reports beside the verdicts (an entry of the store refused)."""

    def taken_from_store(self, step: str) -> None:
        """Mark a passed job whose step's pass came from the result store."""
        if self.results.get(step) == "passed":
            self.results[step] = FROM_STORE

    def raise_failures(self, *heading: str) -> None:
        """A failed job fails the call: StepFailed with `heading` (ci's summary), then each failure."""
        if self.failures:
            raise StepFailed("\n\n".join([*heading, *self.failures]))


async def schedule(jobs: Sequence[Job], start: Start) -> Schedule:
    """Every job, each once its needs passed, concurrently otherwise; the first failure cancels the rest."""
    finished = {job.step: anyio.Event() for job in jobs}
    done = Schedule()

    async def one(job: Job, scope: anyio.CancelScope) -> None:
        try:
            for need in job.needs:
                await finished[need].wait()
            if any(need not in done.containers for need in job.needs):
                return
            handed = {need: done.containers[need] for need in job.given}
            done.containers[job.step] = await start(job, handed)
            done.results[job.step] = "passed"
        except StepFailed as failure:
            done.results[job.step] = "failed"
            done.failures.append(str(failure))
            scope.cancel()
        finally:
            finished[job.step].set()

    async with anyio.create_task_group() as group:
        for job in jobs:
            group.start_soon(one, job, group.cancel_scope)
    return done


async def run_jobs(
    src: dagger.Directory,
    jobs: Sequence[Job],
    *,
    seed: str | None,
    base_ref: str | None,
    git: dagger.Directory,
    store: ResultStore | None = None,
) -> Schedule:
    """The jobs in their containers, each after the jobs it waits for; with a store, which passes came from
    it and which of its entries were refused (each then ran its step)."""
    finished: dict[str, JobRun] = {}

    async def start(job: Job, handed: Mapping[str, dagger.Container]) -> dagger.Container:
        finished[job.step] = await run_job(
            src, job, handed, seed=seed, base_ref=base_ref, git=git, store=store
        )
        return finished[job.step].container

    done = await schedule(jobs, start)
    for step, job_run in finished.items():
        if job_run.from_store:
            done.taken_from_store(step)
        done.notes.extend(f"{step}: {note}" for note in job_run.notes)
    return done


def needed_by(jobs: Sequence[Job], step: str) -> list[Job]:
    """`step`'s job and every job it waits for, in the Plan's order: what `dagger call job` runs."""
    by_step = {job.step: job for job in jobs}
    wanted, queue = set(), [step]
    while queue:
        name = queue.pop()
        if name not in wanted:
            wanted.add(name)
            queue.extend(by_step[name].needs)
    return [job for job in jobs if job.step in wanted]


def ci_summary(
    profile: str, jobs: Sequence[Job], results: Mapping[str, str], notes: Sequence[str] = ()
) -> str:
    """One line per step: passed, from store, failed, or stopped before it finished (fail-fast); then the
    notes (an entry of the store refused)."""
    lines = [f"dagger call ci --profile {profile}"]
    for job in jobs:
        waits = f" (after {', '.join(job.needs)})" if job.needs and not job.final else ""
        unfinished = "not started" if job.final else "stopped (fail-fast)"
        lines.append(f"  {results.get(job.step, unfinished):<20} {job.step}{waits}")
    lines += [f"  note: {note}" for note in notes]
    failed = [step for step, status in results.items() if status == "failed"]
    lines.append(f"verdict: {'FAILED: ' + ', '.join(failed) if failed else 'passed'}")
    return "\n".join(lines)
