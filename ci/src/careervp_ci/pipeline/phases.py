"""The strategy's phases: the table is data (`phases.toml`, beside this module: for each phase what a pull
request runs, what a deploy smokes, what runs nightly, and which paths are its own); here are its loader,
which refuses a malformed table naming the phase and key, and its lookups. How to use them:
docs/ci-strategy.md, "Phases".

One entry per phase in `PHASES`. A part a phase cannot run yet is `Missing(reason)` (`{ missing = "why" }`
in the table): asked to run it, the pipeline fails with that one line instead of passing empty.

- `pr`: catalogue steps with their options (suites take `paths`: the phase's own tests), run by
  `careervp-ci ci --phase ID` as the profile `phase-ID`;
- `smoke`: features of `careervp_ci.release.smoke.CHECKS`, run after a deploy (`deploy` runs every phase's,
  `smoke --env E --phase ID` one phase's);
- `nightly`: catalogue steps (`careervp-ci ci --phase ID --nightly`), and what the nightly workflow runs
  against a deployed environment (`nightly_note`);
- `paths`: change-aware selection (`ci --phase changed --changed-from REF`) runs the phases a diff touches.

What a phase becomes when asked to run (its profile, or why it cannot)
is the resolver's (`careervp_ci.pipeline.resolve`), which phases a change touches is
`careervp_ci.pipeline.changes.select.touched`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType

from careervp_ci.errors import CareervpError
from careervp_ci.pipeline.plan import PlanError


class PhaseNotImplemented(CareervpError):
    """A phase was asked to run a part whose feature does not exist yet (exit 1, never an empty pass)."""


@dataclass(frozen=True)
class Missing:
    """A part of a phase whose feature does not exist in this tree yet."""

    reason: str


@dataclass(frozen=True)
class Blueprint:
    """A pull request's checks for one phase: catalogue steps and their options."""

    steps: tuple[str, ...]
    options: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    paths: tuple[str, ...]
    """Globs of the code and tests that belong to this phase (change-aware selection)."""
    pr: Blueprint | Missing
    smoke: tuple[str, ...] | Missing
    nightly: tuple[str, ...] | Missing = ()
    nightly_note: str = ""

    @property
    def profile_name(self) -> str:
        return f"phase-{self.id}"

    @property
    def implemented(self) -> bool:
        return isinstance(self.pr, Blueprint)


_PHASE_KEYS = frozenset(
    {"id", "title", "paths", "pr", "tests", "options", "smoke", "nightly", "nightly_note"}
)
_TABLE = "phases.toml"


class PhaseTableError(CareervpError):
    """phases.toml is malformed: the message names the phase and the key (a defect of the tree, exit 1)."""


def _strings(where: str, value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise PhaseTableError(f"{_TABLE}: {where} must be a list of strings, not {value!r}")
    return value


def _expand(where: str, value: object, groups: Mapping[str, list[str]]) -> tuple[str, ...]:
    """A list with "@group" entries replaced by the group's items."""
    items: list[str] = []
    for item in _strings(where, value):
        if not item.startswith("@"):
            items.append(item)
        elif item[1:] in groups:
            items.extend(groups[item[1:]])
        else:
            known = ", ".join(f"@{name}" for name in groups)
            raise PhaseTableError(f"{_TABLE}: {where} names unknown group {item!r}; groups here: {known}")
    return tuple(items)


def _part(where: str, value: object, groups: Mapping[str, list[str]]) -> tuple[str, ...] | Missing:
    if isinstance(value, dict):
        if set(value) != {"missing"} or not isinstance(value["missing"], str):
            raise PhaseTableError(f'{_TABLE}: {where} is a list or {{ missing = "why" }}, not {value!r}')
        return Missing(value["missing"])
    return _expand(where, value, groups)


def _options(where: str, entry: Mapping[str, object]) -> dict[str, dict[str, str]]:
    """`tests.SUITE = [paths]` and `options.STEP.OPTION = "value"` as step -> option -> value."""
    options: dict[str, dict[str, str]] = {}
    for suite, paths in _table(f"{where}.tests", entry.get("tests", {})).items():
        options[suite] = {"paths": " ".join(_strings(f"{where}.tests.{suite}", paths))}
    for step, values in _table(f"{where}.options", entry.get("options", {})).items():
        for name, value in _table(f"{where}.options.{step}", values).items():
            if not isinstance(value, str):
                raise PhaseTableError(f"{_TABLE}: {where}.options.{step}.{name} must be a string")
            options.setdefault(step, {})[name] = value
    return options


def _table(where: str, value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise PhaseTableError(f"{_TABLE}: {where} must be a table, not {value!r}")
    return value


def _phase(entry: dict[str, object], groups: Mapping[str, Mapping[str, list[str]]]) -> Phase:
    where = f"phase {entry.get('id', '?')!r}"
    unknown = sorted(set(entry) - _PHASE_KEYS)
    if unknown:
        raise PhaseTableError(
            f"{_TABLE}: {where} has unknown key {unknown[0]!r}; keys: {sorted(_PHASE_KEYS)}"
        )
    for key in ("id", "title"):
        if not isinstance(entry.get(key), str):
            raise PhaseTableError(f"{_TABLE}: {where} needs a string {key!r}")
    if "pr" not in entry:
        raise PhaseTableError(f'{_TABLE}: {where} needs `pr`: its steps, or {{ missing = "why" }}')
    steps, paths = groups["steps"], groups["paths"]
    pr = _part(f"{where}.pr", entry.get("pr"), steps)
    note = entry.get("nightly_note", "")
    if not isinstance(note, str):
        raise PhaseTableError(f"{_TABLE}: {where}.nightly_note must be a string")
    return Phase(
        id=str(entry["id"]),
        title=str(entry["title"]),
        paths=_expand(f"{where}.paths", entry.get("paths", []), paths),
        pr=pr if isinstance(pr, Missing) else Blueprint(pr, _options(where, entry)),
        smoke=_part(f"{where}.smoke", entry.get("smoke", []), {}),
        nightly=_part(f"{where}.nightly", entry.get("nightly", []), steps),
        nightly_note=note,
    )


def load(text: str) -> Mapping[str, Phase]:
    """The phase table from phases.toml's text, by id in file order; PhaseTableError names what is wrong."""
    document = tomllib.loads(text)
    unknown = sorted(set(document) - {"groups", "phase"})
    if unknown:
        raise PhaseTableError(f"{_TABLE}: unknown top-level key {unknown[0]!r}; keys: groups, phase")
    raw_groups = _table("groups", document.get("groups", {}))
    groups = {
        kind: {
            name: _strings(f"groups.{kind}.{name}", items)
            for name, items in _table(f"groups.{kind}", raw_groups.get(kind, {})).items()
        }
        for kind in ("steps", "paths")
    }
    table: dict[str, Phase] = {}
    for entry in document.get("phase", []):
        parsed = _phase(_table("phase", entry), groups)
        if parsed.id in table:
            raise PhaseTableError(f"{_TABLE}: phase {parsed.id!r} is declared twice")
        table[parsed.id] = parsed
    return MappingProxyType(table)


PHASES: Mapping[str, Phase] = load(resources.files(__package__).joinpath(_TABLE).read_text(encoding="utf-8"))
"""Every phase of the strategy by id, in the strategy's order."""

CHANGED = "changed"
"""`--phase changed`: the phases a diff touches (needs `--changed-from`)."""


def phase(phase_id: str) -> Phase:
    """The phase `phase_id`; a PlanError names the valid ids."""
    if phase_id not in PHASES:
        raise PlanError(f"unknown phase {phase_id!r}; valid phases: {', '.join(PHASES)}")
    return PHASES[phase_id]


def smoke_features(phase_id: str | None = None) -> tuple[str, ...]:
    """One phase's smoke features, or (None) every phase's that has smoke checks: what a deploy runs."""
    if phase_id is not None:
        return _smoke(phase(phase_id))
    features = (f for p in PHASES.values() if isinstance(p.smoke, tuple) for f in p.smoke)
    return tuple(dict.fromkeys(features))


def _smoke(entry: Phase) -> tuple[str, ...]:
    if isinstance(entry.smoke, Missing):
        raise PhaseNotImplemented(
            f"phase {entry.id} ({entry.title}) has no post-deploy smoke yet: {entry.smoke.reason}"
        )
    if not entry.smoke:
        raise PhaseNotImplemented(f"phase {entry.id} ({entry.title}) declares no post-deploy smoke checks")
    return entry.smoke


def describe(entry: Phase) -> list[str]:
    """What `careervp-ci steps` shows for a phase: its blueprint part by part, or why a part cannot run."""

    def part(value: object) -> str:
        if isinstance(value, Missing):
            return f"NOT IMPLEMENTED ({value.reason})"
        if isinstance(value, Blueprint):
            return ", ".join(_with_options(step, value.options.get(step, {})) for step in value.steps)
        names = ", ".join(str(item) for item in value) if isinstance(value, tuple) else ""
        return names or "none"

    nightly = part(entry.nightly) + (f"; {entry.nightly_note}" if entry.nightly_note else "")
    return [
        f"phase {entry.id}: {entry.title}" + ("" if entry.implemented else " (not implemented)"),
        f"    pr:      {part(entry.pr)}",
        f"    smoke:   {part(entry.smoke)}",
        f"    nightly: {nightly}",
    ]


def _with_options(step: str, options: Mapping[str, str]) -> str:
    if not options:
        return step
    return f"{step} ({'; '.join(f'{name} {value}' for name, value in options.items())})"
