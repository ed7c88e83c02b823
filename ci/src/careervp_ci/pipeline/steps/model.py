"""The shape of a pipeline step, shared by the host executor and the Dagger module.

A step is declared once as data; the host runs it as local processes, Dagger runs
`careervp-ci <step>` inside a container. Both read this declaration, so they cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from careervp_ci.pipeline.steps.context import StepContext, StepOutcome


@dataclass(frozen=True)
class Option:
    """A named argument a step accepts: `--name` on the CLI, `name` on the Dagger function."""

    name: str
    help: str
    default: str | None = None
    choices: tuple[str, ...] = ()
    keyed: bool = True
    """Whether the value is part of the step's cache key (a test-order seed, for instance, is not)."""


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
    needs_browser: bool = False
    """It drives Chromium (the SPA's smoke, or tests of it): the Dagger module installs Chromium in its
    container, as the host's `make containers` does on the machine."""
    needs_git: bool = False
    """Its tests build git repositories (the host path reads git by design): the Dagger module installs
    Debian's git in its container; nothing else there has git."""
    cacheable: bool = True
    tools: tuple[str, ...] = ()
    """Packages (PyPI names in uv.lock, npm names in package-lock.json): their pinned versions key it."""
    outputs: tuple[str, ...] = ()
    """Tree-relative folders the step writes besides its reports (the cloud assembly): stored with a pass
    and restored on a hit, so steps that need this one find them either way."""
    key_extra: Callable[[Path, Mapping[str, str | None]], str] | None = None
    """Facts outside the tree that decide the verdict (e.g. what a base ref points at), for the cache key."""
    reports: tuple[str, ...] = field(default=())
    """Report files the step writes under its report folder (restored on a cache hit)."""
    suite: str | None = None
    """The test folder it runs as one pytest suite (None for any other gate): a run of a profile that keeps
    the suite's whole selection has run every test in it."""

    def option(self, name: str) -> Option:
        """The declared option `name`; a KeyError names the step's valid options."""
        for option in self.options:
            if option.name == name:
                return option
        valid = ", ".join(o.name for o in self.options) or "none"
        raise KeyError(f"step {self.name!r} has no option {name!r} (valid: {valid})")

    def report_dir(self, reports_root: Path) -> Path:
        return reports_root / self.name
