"""What a run will execute: steps in dependency order, each with its resolved options.

Both `careervp-ci <step>` and `careervp-ci ci` become a Plan; the executors only ever see Plans. A profile
becomes one here and nowhere else (`profile_plan`): the host runs it, the Dagger module splits it into jobs
(`careervp_ci.dagger_module.plan`), and each job runs a slice of the same Plan, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from careervp_ci.errors import UsageError
from careervp_ci.pipeline.profiles import PROFILES, Profile
from careervp_ci.pipeline.steps.catalogue import CATALOGUE
from careervp_ci.pipeline.steps.model import Step


class PlanError(UsageError):
    """Bad usage or configuration (exit 2): the message names the bad value and the valid ones."""


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    """Dependency order: a step comes after everything it needs."""
    options: Mapping[str, Mapping[str, str | None]]
    skipped: Mapping[str, str] = field(default_factory=dict)
    """Steps left out by change-aware selection, with the reason (printed and summarised)."""
    final: tuple[str, ...] = ()
    """Steps that wait for every other step of the plan to pass."""

    def needs(self, step: Step) -> tuple[str, ...]:
        """What `step` waits for: its own needs, or everything else when it is final."""
        if step.name in self.final:
            return tuple(other.name for other in self.steps if other.name not in self.final)
        return step.needs


def unknown(kind: str, name: str, valid: Iterable[str]) -> PlanError:
    return PlanError(f"unknown {kind} {name!r}; valid {kind}s: {', '.join(valid)}")


def build_plan(
    catalogue: Mapping[str, Step],
    wanted: Iterable[str],
    options: Mapping[str, Mapping[str, str | None]] | None = None,
    skipped: Mapping[str, str] | None = None,
    final: Iterable[str] = (),
) -> Plan:
    """The wanted steps plus everything they need, ordered so needs run first; options get their defaults."""
    ordered: list[Step] = []
    seen: set[str] = set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in trail:
            raise PlanError(f"steps need each other in a cycle: {' -> '.join((*trail, name))}")
        if name in seen:
            return
        if name not in catalogue:
            raise unknown("step", name, catalogue)
        for need in catalogue[name].needs:
            visit(need, (*trail, name))
        seen.add(name)
        ordered.append(catalogue[name])

    last = [name for name in final if name in wanted]
    for name in [*(name for name in wanted if name not in last), *last]:
        visit(name, ())
    given = options or {}
    resolved: dict[str, dict[str, str | None]] = {}
    for step in ordered:
        values: dict[str, str | None] = {option.name: option.default for option in step.options}
        for option_name, value in given.get(step.name, {}).items():
            try:
                step.option(option_name)
            except KeyError as error:
                raise PlanError(str(error.args[0])) from None
            values[option_name] = value
        resolved[step.name] = values
    return Plan(tuple(ordered), resolved, dict(skipped or {}), tuple(last))


def find_profile(name: str) -> Profile:
    """The profile called `name`; a PlanError names the valid ones."""
    if name not in PROFILES:
        raise unknown("profile", name, PROFILES)
    return PROFILES[name]


def profile_plan(
    profile: Profile,
    *,
    seed: str | None = None,
    base_ref: str | None = None,
    wanted: Sequence[str] | None = None,
    skipped: Mapping[str, str] | None = None,
    only: Sequence[str] = (),
) -> Plan:
    """`profile` as a Plan: its steps (or the `wanted` ones change-aware selection kept, with the
    `skipped` reasons; or `only` some and what they need), the profile's options, the run's test-order
    `seed` and OpenAPI `base_ref` for the steps that take them, and the profile's final steps."""
    options: dict[str, dict[str, str | None]] = {
        step: dict(values) for step, values in profile.options.items()
    }
    for step in profile.steps:
        step_options = {option.name for option in CATALOGUE[step].options}
        if seed and "seed" in step_options:
            options.setdefault(step, {})["seed"] = seed
        if base_ref and "base-ref" in step_options:
            options.setdefault(step, {})["base-ref"] = base_ref
    chosen: Sequence[str] = profile.steps if wanted is None else wanted
    for step in only:
        if step not in profile.steps:
            raise PlanError(
                f"--only {step!r} is no step of profile {profile.name}: {', '.join(profile.steps)}"
            )
    if only:
        chosen = [step for step in chosen if step in only]
    return build_plan(CATALOGUE, chosen, options, skipped, final=profile.final)
