"""What a user asked for, as Plans: the one place a name becomes a profile and a profile a Plan.

A request names a profile (`pr`, `main`, ..., or a phase's `phase-ID`), or a phase (`--phase ID`, with
`--nightly` its nightly steps), or the phases a change touches (`--phase changed --changed-from REF`); with
`--changed-from` a profile is narrowed to what the change calls for (`careervp_ci.pipeline.changes`). The
host CLI, the Dagger module's `ci` (through `careervp_ci.dagger_module.plan`) and `hotfix` all ask here, so a
name means the same run wherever it is typed. Phases are data (`careervp_ci.pipeline.phases`); the policy of
what a phase runs, and when it cannot, is here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from careervp_ci.pipeline import phases
from careervp_ci.pipeline.changes.select import changed_paths, select, touched
from careervp_ci.pipeline.phases import Missing, Phase, PhaseNotImplemented
from careervp_ci.pipeline.plan import Plan, PlanError, build_plan
from careervp_ci.pipeline.profiles import PROFILES, Profile
from careervp_ci.pipeline.steps.catalogue import CATALOGUE

DEFAULT_PROFILE = "pr"


@dataclass(frozen=True)
class Request:
    """What `careervp-ci ci` (or `dagger call ci`, or `hotfix`) was asked to run."""

    profile: str | None = None
    phase: str | None = None
    """A phase id, or `changed` (`phases.CHANGED`): the phases the changes since `changed_from` touch."""
    nightly: bool = False
    changed_from: str | None = None
    seed: str | None = None
    base_ref: str | None = None
    """Baseline for OpenAPI breaking changes (default: `changed_from`)."""
    only: tuple[str, ...] = ()
    """Run only these steps of the profile (and what they need)."""
    given: tuple[str, ...] = ()
    """Needed steps that already passed elsewhere, their reports and outputs in the tree (a Dagger job)."""


@dataclass(frozen=True)
class Run:
    """One profile's Plan; a request for the phases a change touches resolves to one per phase."""

    profile: Profile
    plan: Plan

    @property
    def title(self) -> str:
        return f"careervp-ci ci --profile {self.profile.name}"


@dataclass(frozen=True)
class Resolution:
    runs: tuple[Run, ...]
    notes: tuple[str, ...] = ()
    """What change-aware selection decided and why, for the person running it."""


def phase_profile(entry: Phase) -> Profile:
    """A phase's PR blueprint as the profile `phase-ID`; a PhaseNotImplemented says why it cannot run."""
    if isinstance(entry.pr, Missing):
        raise PhaseNotImplemented(f"phase {entry.id} ({entry.title}) is not implemented: {entry.pr.reason}")
    return Profile(entry.profile_name, f"phase {entry.id}: {entry.title}", entry.pr.steps, entry.pr.options)


def nightly_profile(entry: Phase) -> Profile:
    """A phase's nightly steps as a profile; a PhaseNotImplemented when it has none that exist."""
    if isinstance(entry.nightly, Missing):
        raise PhaseNotImplemented(
            f"phase {entry.id} ({entry.title}) has no nightly checks yet: {entry.nightly.reason}"
        )
    if not entry.nightly:
        raise PhaseNotImplemented(f"phase {entry.id} ({entry.title}) declares no nightly steps")
    return Profile(f"{entry.profile_name}-nightly", f"phase {entry.id} nightly", entry.nightly)


def profile_named(name: str) -> Profile:
    """A profile by name: one of `PROFILES`, or `phase-ID` (a phase's PR blueprint)."""
    if name in PROFILES:
        return PROFILES[name]
    for candidate in phases.PHASES.values():
        if name == candidate.profile_name:
            return phase_profile(candidate)
    implemented = (p.profile_name for p in phases.PHASES.values() if p.implemented)
    raise PlanError(f"unknown profile {name!r}; valid profiles: {', '.join([*PROFILES, *implemented])}")


def chosen_profile(request: Request) -> Profile:
    """`profile` (a profile or `phase-ID`), or `phase` [`nightly`]; default `pr`."""
    if request.phase and request.profile:
        raise PlanError(f"--phase {request.phase!r} and --profile {request.profile!r}: give one of them")
    if request.nightly and not request.phase:
        raise PlanError("--nightly needs --phase ID (a profile has no nightly part)")
    if request.phase:
        entry = phases.phase(request.phase)
        return nightly_profile(entry) if request.nightly else phase_profile(entry)
    return profile_named(request.profile or DEFAULT_PROFILE)


def profile_plan(
    profile: Profile,
    request: Request,
    wanted: Sequence[str] | None = None,
    skipped: Mapping[str, str] | None = None,
) -> Plan:
    """`profile` as a Plan: its steps (or the `wanted` ones change-aware selection kept, with the `skipped`
    reasons; or the request's `only` ones and what they need), the profile's options, the request's
    test-order seed and OpenAPI base ref for the steps that take them, and the profile's final steps."""
    base_ref = request.base_ref or request.changed_from
    options: dict[str, dict[str, str | None]] = {
        step: dict(values) for step, values in profile.options.items()
    }
    for step in profile.steps:
        step_options = {option.name for option in CATALOGUE[step].options}
        if request.seed and "seed" in step_options:
            options.setdefault(step, {})["seed"] = request.seed
        if base_ref and "base-ref" in step_options:
            options.setdefault(step, {})["base-ref"] = base_ref
    chosen: Sequence[str] = profile.steps if wanted is None else wanted
    for step in request.only:
        if step not in profile.steps:
            raise PlanError(
                f"--only {step!r} is no step of profile {profile.name}: {', '.join(profile.steps)}"
            )
    if request.only:
        chosen = [step for step in chosen if step in request.only]
    return build_plan(CATALOGUE, chosen, options, skipped, final=profile.final, given=request.given)


def resolve(request: Request, src: Path = Path()) -> Resolution:
    """The request as Plans, with what change-aware selection decided; `src` is the tree whose git history
    `changed_from` is read in."""
    if request.phase == phases.CHANGED:
        return _touched_phases(request, src)
    profile = chosen_profile(request)
    if not request.changed_from or request.phase:
        return Resolution((Run(profile, profile_plan(profile, request)),))
    selection = select(profile.steps, changed_paths(src, request.changed_from), request.changed_from)
    notes = [f"selection since {request.changed_from}: {selection.reason}"]
    notes += [f"  skip {name}: {reason}" for name, reason in selection.skipped.items()]
    plan = profile_plan(profile, request, selection.steps, selection.skipped)
    return Resolution((Run(profile, plan),), tuple(notes))


def _touched_phases(request: Request, src: Path) -> Resolution:
    """The blueprints of the implemented phases the changes since `changed_from` touch; a touched phase
    that is not implemented is named and left out."""
    if request.profile or request.nightly:
        raise PlanError(f"--phase {phases.CHANGED} takes neither --profile nor --nightly")
    if not request.changed_from:
        raise PlanError(f"--phase {phases.CHANGED} needs --changed-from REF (the diff that picks the phases)")
    hits = touched(changed_paths(src, request.changed_from))
    notes = [f"phases touched since {request.changed_from}: {', '.join(p.id for p, _ in hits) or 'none'}"]
    runs = []
    for entry, path in hits:
        if entry.implemented:
            notes.append(f"  phase {entry.id} ({entry.title}): {path}")
            profile = phase_profile(entry)
            runs.append(Run(profile, profile_plan(profile, request)))
        else:
            notes.append(f"  phase {entry.id} ({entry.title}): {path}; not implemented, nothing of it to run")
    return Resolution(tuple(runs), tuple(notes))
