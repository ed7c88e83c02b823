"""The Dagger rendering of a profile's Plan: which jobs `dagger call ci` starts, each in its own container.

It plans nothing of its own: the Plan comes from `careervp_ci.pipeline.plan.profile_plan`, as on the host,
and each job runs a slice of it (`careervp-ci ci --profile P --only STEP`). It runs inside the setup container
(`python -m careervp_ci.dagger_module.plan PROFILE`), so the profile comes from the tree under test.

A step that another planned step needs is not started on its own: `--only STEP` runs what it needs in the
same container (coverage runs unit and integration), and running it twice would only cost time. A profile's
final steps (the release path) are marked so `ci` starts them only once every other job passed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from careervp_ci.errors import USAGE, CareervpError
from careervp_ci.pipeline.phases import profile as find_profile
from careervp_ci.pipeline.plan import Plan, profile_plan
from careervp_ci.pipeline.profiles import PROFILES


@dataclass(frozen=True)
class Job:
    step: str
    options: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Each step the job runs (its own and the covered ones) with the options the profile's Plan gives it."""
    covers: tuple[str, ...] = ()
    """Needed steps this job runs in its own container instead of separately."""
    final: bool = False
    """Starts only after every non-final job has passed (the profile's release path)."""
    profile: str = ""
    """The profile whose plan the job runs (`careervp-ci ci --profile P --only STEP`): the first profile that
    runs the step with the same options for it and all it needs, so every profile that agrees runs the same
    command and the engine reuses one run for all of them."""
    reads_history: bool = False
    """The step (or one it needs) takes `--base-ref`: only this job gets the repository's .git."""
    needs_browser: bool = False
    """The step (or one it needs) drives Chromium: only this job's container installs it."""
    needs_git: bool = False
    """The step's tests (or those of one it needs) build git repositories: only this job's container has
    git."""


def job_plan(profile: str, step: str) -> Plan:
    """What a job runs in its container: the profile's Plan narrowed to `step` and what it needs."""
    return profile_plan(find_profile(profile), only=[step])


def _options(plan: Plan) -> dict[str, dict[str, str]]:
    return {
        name: {option: value for option, value in values.items() if value is not None}
        for name, values in plan.options.items()
    }


def canonical_profile(step: str, profile: str) -> str:
    """The first profile whose job for `step` runs exactly what `profile`'s would (steps and options), else
    `profile` itself (a phase's blueprint may be the only one)."""
    wanted = job_plan(profile, step)
    return next(
        (
            name
            for name, candidate in PROFILES.items()
            if step in candidate.steps and job_plan(name, step) == wanted
        ),
        profile,
    )


def profile_jobs(profile: str) -> list[Job]:
    """The profile's Plan (`careervp_ci.pipeline.plan.profile_plan`) as jobs: one per planned step, except
    steps another planned step needs (that step's job covers them); a PlanError names the valid profiles."""
    plan = profile_plan(find_profile(profile))
    covered = {need for step in plan.steps for need in step.needs}
    return [_job(plan, profile, step.name) for step in plan.steps if step.name not in covered]


def _job(plan: Plan, profile: str, step: str) -> Job:
    runs = job_plan(profile, step)
    names = [planned.name for planned in runs.steps]
    return Job(
        step,
        _options(runs),
        tuple(name for name in names if name != step),
        final=step in plan.final,
        profile=canonical_profile(step, profile),
        reads_history=any(option.name == "base-ref" for planned in runs.steps for option in planned.options),
        needs_browser=any(planned.needs_browser for planned in runs.steps),
        needs_git=any(planned.needs_git for planned in runs.steps),
    )


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if len(arguments) != 1:
        print("usage: python -m careervp_ci.dagger_module.plan PROFILE", file=sys.stderr)
        return USAGE
    try:
        jobs = profile_jobs(arguments[0])
    except CareervpError as error:  # an unknown profile (2), a phase whose feature does not exist (1)
        print(f"careervp-ci: {error}", file=sys.stderr)
        return error.exit_code
    print(json.dumps([asdict(job) for job in jobs]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
