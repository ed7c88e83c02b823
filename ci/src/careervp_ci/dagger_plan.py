"""A profile as Dagger jobs: which step functions `dagger call ci` starts, with which arguments.

Runs inside the setup container (`python -m careervp_ci.dagger_plan PROFILE`), where the whole toolchain is
installed, so the profile comes from the tree under test and the module itself never imports the catalogue
(its step modules need dev-only packages that the Dagger module runtime does not install).

A step that another selected step needs is not started on its own: `careervp-ci <step>` runs what it needs
in the same container (coverage runs unit and integration), and running it twice would only cost time.
A profile's final steps (the release path) are marked so `ci` starts them only once every other job passed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace

FAILED = 1
USAGE_ERROR = 2


@dataclass(frozen=True)
class Job:
    step: str
    options: Mapping[str, str] = field(default_factory=dict)
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


def jobs_for(
    steps: Sequence[str],
    needs: Mapping[str, Sequence[str]],
    options: Mapping[str, Mapping[str, str]],
    final: Sequence[str] = (),
) -> list[Job]:
    """One job per selected step, except steps another selected step needs (that step covers them)."""
    covered = {need: name for name in steps for need in needs.get(name, ()) if need in steps}
    return [
        Job(
            name,
            dict(options.get(name, {})),
            tuple(need for need in needs.get(name, ()) if need in steps),
            final=name in final,
        )
        for name in steps
        if name not in covered
    ]


def profile_jobs(profile_name: str) -> list[Job]:
    """The jobs for a profile from `careervp_ci.profiles` or a phase's `phase-ID` (`careervp_ci.phases`);
    KeyError names the valid profiles, or why the phase cannot run."""
    from careervp_ci.phases import profile as find_profile  # noqa: PLC0415  (needs the full toolchain)
    from careervp_ci.plan import PlanError  # noqa: PLC0415
    from careervp_ci.steps.catalogue import CATALOGUE  # noqa: PLC0415

    try:
        profile = find_profile(profile_name)
    except PlanError as error:
        raise KeyError(str(error)) from None
    needs = {name: CATALOGUE[name].needs for name in profile.steps}
    options = {name: dict(values) for name, values in profile.options.items()}
    return [
        replace(
            job,
            profile=canonical_profile(job.step, profile_name),
            reads_history=any(
                option.name == "base-ref" for name in closure(job.step) for option in CATALOGUE[name].options
            ),
        )
        for job in jobs_for(profile.steps, needs, options, profile.final)
    ]


def closure(step: str) -> list[str]:
    """The step and everything it needs, transitively (what `--only STEP` runs)."""
    from careervp_ci.steps.catalogue import CATALOGUE  # noqa: PLC0415

    seen: list[str] = []
    pending = [step]
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.append(name)
            pending.extend(CATALOGUE[name].needs)
    return seen


def canonical_profile(step: str, profile_name: str) -> str:
    """The first of `PROFILES` running `step` with the same options, else `profile_name` itself (a phase)."""
    from careervp_ci.phases import profile as find_profile  # noqa: PLC0415
    from careervp_ci.profiles import PROFILES  # noqa: PLC0415

    def options(name: str) -> dict[str, dict[str, str]]:
        return {need: dict(find_profile(name).options.get(need, {})) for need in closure(step)}

    wanted = options(profile_name)
    return next(
        (name for name, candidate in PROFILES.items() if step in candidate.steps and options(name) == wanted),
        profile_name,
    )


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if len(arguments) != 1:
        print("usage: python -m careervp_ci.dagger_plan PROFILE", file=sys.stderr)
        return USAGE_ERROR
    from careervp_ci.phases import PhaseNotImplemented  # noqa: PLC0415

    try:
        jobs = profile_jobs(arguments[0])
    except KeyError as error:
        print(f"careervp-ci: {error.args[0]}", file=sys.stderr)
        return USAGE_ERROR
    except PhaseNotImplemented as error:
        print(f"careervp-ci: {error}", file=sys.stderr)
        return FAILED
    print(json.dumps([asdict(job) for job in jobs]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
