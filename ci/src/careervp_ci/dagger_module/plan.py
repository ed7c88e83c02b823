"""The Dagger rendering of a Plan: the jobs `dagger call ci` starts, one per planned step, and what each waits
for (the Plan's edges).

It plans nothing of its own: the request goes through the one resolver (`careervp_ci.pipeline.resolve`), as
on the host, and each job runs exactly one step of that Plan (`careervp-ci ci --profile P --only STEP
--given NEED ...`). A job starts once the jobs it waits for passed, and is handed their reports and outputs,
so no step runs twice. It runs inside the setup container (`python -m careervp_ci.dagger_module.plan
PROFILE [PHASE]`), so the profile comes from the tree under test.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from careervp_ci.errors import USAGE, CareervpError
from careervp_ci.pipeline.plan import Plan
from careervp_ci.pipeline.profiles import PROFILES
from careervp_ci.pipeline.resolve import Request, chosen_profile, profile_plan
from careervp_ci.pipeline.steps.catalogue import CATALOGUE

REPORTS = ".reports"
"""Where `careervp-ci` writes each step's reports (`<src>/.reports/<step>`)."""


@dataclass(frozen=True)
class Job:
    step: str
    needs: tuple[str, ...] = ()
    """The jobs this one waits for: the Plan's edges from its step (a final step waits for every gate)."""
    given: tuple[str, ...] = ()
    """The steps its step needs: their jobs' reports and outputs are handed into its container."""
    options: Mapping[str, str] = field(default_factory=dict)
    """The options the Plan gives the step."""
    final: bool = False
    """A final step of the profile (the release path): it waits for every other job."""
    profile: str = ""
    """The profile whose plan the job runs: the first profile that runs the step with the same options, so
    every profile that agrees runs the same command and the engine reuses one run for all of them."""
    reads_history: bool = False
    """The step takes `--base-ref`: only this job gets the repository's .git."""
    needs_browser: bool = False
    """The step drives Chromium: only this job's container installs it."""
    needs_git: bool = False
    """The step's tests build git repositories: only this job's container has git."""

    @classmethod
    def listed(cls, entry: Mapping[str, object]) -> Job:
        """A job as `main` prints it (JSON)."""
        values = {name: tuple(value) if isinstance(value, list) else value for name, value in entry.items()}
        return cls(**values)  # type: ignore[arg-type]


def left_by(step: str) -> tuple[str, ...]:
    """The folders of the tree `step` leaves for the steps that need it: its reports and its outputs."""
    return (f"{REPORTS}/{step}", *CATALOGUE[step].outputs)


def job_plan(profile: str, step: str) -> Plan:
    """What a job runs in its container: the profile's Plan narrowed to `step`, its needs given."""
    return profile_plan(chosen_profile(Request(profile)), Request(only=(step,), given=CATALOGUE[step].needs))


def canonical_profile(step: str, profile: str) -> str:
    """The first profile whose job for `step` runs exactly what `profile`'s would, else `profile` itself (a
    phase's blueprint may be the only one)."""
    wanted = job_plan(profile, step)
    return next(
        (
            name
            for name, candidate in PROFILES.items()
            if step in candidate.steps and job_plan(name, step) == wanted
        ),
        profile,
    )


@dataclass(frozen=True)
class Jobs:
    """What `ci` runs: the resolved profile's name and its jobs, in the Plan's order."""

    profile: str
    jobs: tuple[Job, ...]

    @classmethod
    def listed(cls, text: str) -> Jobs:
        """The jobs as `main` prints them (JSON)."""
        entry = json.loads(text)
        return cls(entry["profile"], tuple(Job.listed(job) for job in entry["jobs"]))


def request_jobs(request: Request) -> Jobs:
    """The request's Plan as jobs, one per step, each waiting for what the step waits for in the Plan."""
    profile = chosen_profile(request)
    plan = profile_plan(profile, request)
    jobs = []
    for step in plan.steps:
        options = {name: value for name, value in plan.options[step.name].items() if value is not None}
        jobs.append(
            Job(
                step.name,
                plan.needs(step),
                step.needs,
                options,
                final=step.name in plan.final,
                profile=canonical_profile(step.name, profile.name),
                reads_history=any(option.name == "base-ref" for option in step.options),
                needs_browser=step.needs_browser,
                needs_git=step.needs_git,
            )
        )
    return Jobs(profile.name, tuple(jobs))


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if len(arguments) not in (1, 2):
        print("usage: python -m careervp_ci.dagger_module.plan PROFILE [PHASE]", file=sys.stderr)
        return USAGE
    profile, phase = arguments[0], (arguments[1] if len(arguments) == 2 else None)
    try:
        jobs = request_jobs(Request(None if phase else profile, phase))
    except CareervpError as error:  # an unknown profile (2), a phase whose feature does not exist (1)
        print(f"careervp-ci: {error}", file=sys.stderr)
        return error.exit_code
    print(json.dumps(asdict(jobs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
