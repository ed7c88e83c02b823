"""What a run will execute: a graph of steps (nodes) and what each waits for (edges), in dependency order,
each step with its resolved options.

Both `careervp-ci <step>` and `careervp-ci ci` become a Plan; the executors only ever see Plans and schedule
from their edges. What a user asks for becomes a Plan in `careervp_ci.pipeline.resolve`, and nowhere else:
the host runs it, the Dagger module runs one job per step of it with the same edges
(`careervp_ci.dagger_module.plan`), so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from careervp_ci.errors import UsageError
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
    given: tuple[str, ...] = ()
    """Needed steps that passed elsewhere and left their reports and outputs in the tree (what a Dagger job
    is handed by the jobs it waits for): not run here, not waited for."""

    def needs(self, step: Step) -> tuple[str, ...]:
        """What `step` waits for: its own needs, or everything else when it is final."""
        if step.name in self.final:
            return tuple(other.name for other in self.steps if other.name not in self.final)
        return tuple(need for need in step.needs if need not in self.given)

    @property
    def nodes(self) -> tuple[str, ...]:
        """The steps, in dependency order."""
        return tuple(step.name for step in self.steps)

    @property
    def edges(self) -> tuple[tuple[str, str], ...]:
        """(step, what it waits for), for every wait of the plan: what both executors schedule from."""
        return tuple((step.name, need) for step in self.steps for need in self.needs(step))


def unknown(kind: str, name: str, valid: Iterable[str]) -> PlanError:
    return PlanError(f"unknown {kind} {name!r}; valid {kind}s: {', '.join(valid)}")


def build_plan(
    catalogue: Mapping[str, Step],
    wanted: Iterable[str],
    options: Mapping[str, Mapping[str, str | None]] | None = None,
    skipped: Mapping[str, str] | None = None,
    *,
    final: Iterable[str] = (),
    given: Iterable[str] = (),
) -> Plan:
    """The wanted steps plus everything they need (except the `given` ones), ordered so needs run first;
    options get their defaults."""
    ordered: list[Step] = []
    asked, handed = list(wanted), tuple(given)
    seen: set[str] = set(handed)

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

    for name in handed:
        if name not in catalogue:
            raise unknown("step", name, catalogue)
        if name in asked:
            raise PlanError(f"step {name!r} is asked to run and given as already passed: give one of them")
    last = [name for name in final if name in asked]
    for name in [*(name for name in asked if name not in last), *last]:
        visit(name, ())
    idle = [name for name in handed if not any(name in step.needs for step in ordered)]
    if idle:
        raise PlanError(f"given steps no planned step needs: {', '.join(idle)}")
    chosen = options or {}
    resolved: dict[str, dict[str, str | None]] = {}
    for step in ordered:
        values: dict[str, str | None] = {option.name: option.default for option in step.options}
        for option_name, value in chosen.get(step.name, {}).items():
            try:
                step.option(option_name)
            except KeyError as error:
                raise PlanError(str(error.args[0])) from None
            values[option_name] = value
        resolved[step.name] = values
    return Plan(tuple(ordered), resolved, dict(skipped or {}), tuple(last), handed)
