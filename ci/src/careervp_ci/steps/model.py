"""The shape of a pipeline step, shared by the host executor and the Dagger module.

A step is declared once as data; the host runs it as local processes, Dagger runs
`careervp-ci <step>` inside a container. Both read this declaration, so they cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from careervp_ci.steps.context import StepContext, StepOutcome


@dataclass(frozen=True)
class Option:
    """A named argument a step accepts: `--name` on the CLI, `name` on the Dagger function."""

    name: str
    help: str
    default: str | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One gate: what it reads (for its cache key), what it needs first, and how it runs."""

    name: str
    summary: str
    run: Callable[[StepContext], StepOutcome]
    inputs: tuple[str, ...]
    """Glob patterns (relative to the source root) whose bytes are part of the cache key."""
    needs: tuple[str, ...] = ()
    """Steps that must pass before this one starts; their keys are part of this one's key."""
    options: tuple[Option, ...] = ()
    needs_node: bool = False
    cacheable: bool = True
    reports: tuple[str, ...] = field(default=())
    """Report files the step writes under its report folder (restored on a cache hit)."""

    def report_dir(self, reports_root: Path) -> Path:
        return reports_root / self.name
