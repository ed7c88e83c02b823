"""What a step receives when it runs, and what it hands back.

Steps are plain Python: they get a `StepContext` (source tree, report folder, resolved options, a way to
run tools) and return a `StepOutcome`. The context records every command it ran, so a failure can always
name the exact command that reproduces it.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Status(StrEnum):
    """How a step ended. `UNVERIFIED` means the step could not check what it exists to check."""

    PASSED = "passed"
    FAILED = "failed"
    UNVERIFIED = "unverified"
    CACHED = "cached"
    SKIPPED = "skipped"
    NEVER_RAN = "never ran"
    STOPPED = "stopped"
    NOT_CACHED = "not cached"
    """Asked only for a cached pass (`ci --from-cache-only`) and none was found: not run, not a failure."""


@dataclass(frozen=True)
class CommandResult:
    """One finished tool invocation: its argv (as a person would type it), exit code and combined output."""

    display: str
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclass(frozen=True)
class StepOutcome:
    """A step's verdict with the evidence a person needs to act on it."""

    status: Status
    message: str
    details: tuple[str, ...] = ()
    """The tool's first useful lines (file:line where it gives them)."""
    reproduce: str = ""
    """The one command that reproduces the verdict locally."""
    notes: tuple[str, ...] = ()
    """Things worth knowing even on success (seed used, retries, checks that had nothing to check)."""


_LOCATION = re.compile(r"(?:^|\s)[\w./\\-]+\.\w+:\d+")
_NOISE = re.compile(r"^\s*$|^[=_\-]{5,}|^Found \d+ error|^Success:|^All checks passed")


def first_useful_lines(output: str, limit: int = 12) -> tuple[str, ...]:
    """Lines naming a file:line first; otherwise the first non-blank lines. Keeps failures short."""
    lines = [line.rstrip() for line in output.splitlines()]
    located = [line for line in lines if _LOCATION.search(line)]
    chosen = located or [line for line in lines if not _NOISE.match(line)]
    return tuple(chosen[:limit])


DISCARDED_ENV = "CAREERVP_CACHE_DISCARDED"
"""Set (to 1) where the result cache is thrown away with the run (a Dagger job's container): a step keeps no
state whose only reader is a later run on the same cache."""


class StepCancelled(Exception):
    """Raised inside a step when the run was stopped because another gate failed."""


@dataclass
class StepContext:
    """Everything a step may touch: the tree, its own report folder, its options, and the tool runner."""

    step: str
    src: Path
    report_dir: Path
    options: Mapping[str, str | None]
    tool_dir: Path
    """Folder holding the pinned tools (the environment's bin directory)."""
    cancel: threading.Event = field(default_factory=threading.Event)
    state_dir: Path | None = None
    """Where a step may keep state between runs (tool caches, the test-impact map), under the result
    cache; None with `--no-cache`: start from nothing and keep nothing."""
    base_env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    commands: list[CommandResult] = field(default_factory=list)

    def option(self, name: str) -> str | None:
        return self.options.get(name)

    @property
    def cache_discarded(self) -> bool:
        """Whether `$CAREERVP_CACHE_DISCARDED` says the result cache (`state_dir` too) dies with the run."""
        return self.base_env.get(DISCARDED_ENV) == "1"

    def tool(self, name: str) -> str:
        """The pinned executable `name` from the environment, falling back to PATH lookup. uv is not in
        the environment it manages: it is the one running us (`$UV`, set by `uv run`) or the project's
        bootstrapped `.tools/bin/uv`."""
        candidates = [self.tool_dir / name]
        if name == "uv":
            candidates = [Path(os.environ["UV"])] if os.environ.get("UV") else []
            candidates.append(self.src / ".tools" / "bin" / "uv")
        return next((str(path) for path in candidates if path.is_file()), name)

    def run(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        stdout_to: Path | None = None,
    ) -> CommandResult:
        """Run a tool to completion (or until the run is cancelled) and record it for reproduction.

        `argv[0]` is a tool name; it is resolved to the pinned executable, and the recorded command
        uses the plain name behind `uv run` so a person can paste it. `stdout_to` sends stdout to a file
        (reports such as SARIF) and keeps only stderr as output.
        """
        if self.cancel.is_set():
            raise StepCancelled(self.step)
        resolved = [self.tool(argv[0]), *argv[1:]]
        run_env = {**self.base_env, **(env or {})}
        run_env["PATH"] = f"{self.tool_dir}{os.pathsep}{run_env.get('PATH', '')}"
        run_env["PYTHONPATH"] = os.pathsep.join([*self._tree_import_roots(), run_env.get("PYTHONPATH", "")])
        workdir = cwd or self.src
        display = self.display(argv, env or {}, workdir)
        if stdout_to:
            display += f" > {shlex.quote(str(stdout_to))}"
        sink = stdout_to.open("wb") if stdout_to else None
        try:
            process = subprocess.Popen(
                resolved,
                cwd=workdir,
                env=run_env,
                stdout=sink if sink else subprocess.PIPE,
                stderr=subprocess.PIPE if sink else subprocess.STDOUT,
                start_new_session=True,
            )
            output = self._wait(process)
        finally:
            if sink:
                sink.close()
        result = CommandResult(display=display, returncode=process.returncode, output=output)
        self.commands.append(result)
        return result

    def _tree_import_roots(self) -> list[str]:
        """The tree's own packages shadow the environment's editable installs (so `--src` tests that tree)."""
        roots = (self.src / "src" / "backend", self.src / "infra", self.src / "ci" / "src")
        return [str(root) for root in roots if root.is_dir()]

    def _wait(self, process: subprocess.Popen[bytes]) -> str:
        while True:
            try:
                out, _ = process.communicate(timeout=0.2)
                return (out or b"").decode("utf-8", errors="replace")
            except subprocess.TimeoutExpired:
                if self.cancel.is_set():
                    os.killpg(process.pid, signal.SIGTERM)
                    process.communicate()
                    raise StepCancelled(self.step) from None

    def display(self, argv: Sequence[str], env: Mapping[str, str], workdir: Path) -> str:
        """`argv` as a person would type it: `uv run`, the variables given, and a `cd` when not here."""
        prefix = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
        command = "uv run " + shlex.join(argv)
        here = Path.cwd().resolve()
        where = "" if workdir.resolve() == here else f"cd {shlex.quote(str(workdir))} && "
        return f"{where}{prefix + ' ' if prefix else ''}{command}"

    def passed(self, message: str, notes: Sequence[str] = ()) -> StepOutcome:
        return StepOutcome(Status.PASSED, message, notes=tuple(notes))

    def failed(
        self, message: str, result: CommandResult | None = None, details: Sequence[str] = ()
    ) -> StepOutcome:
        """A failure carrying the tool's first useful lines and the command that reproduces it."""
        lines = tuple(details) or (first_useful_lines(result.output) if result else ())
        reproduce = result.display if result else f"uv run careervp-ci {self.step}"
        return StepOutcome(Status.FAILED, message, details=lines, reproduce=reproduce)

    def unverified(self, message: str, details: Sequence[str] = (), reproduce: str = "") -> StepOutcome:
        return StepOutcome(
            Status.UNVERIFIED,
            message,
            details=tuple(details),
            reproduce=reproduce or f"uv run careervp-ci {self.step}",
        )

    def existing(self, paths: Sequence[str]) -> list[str]:
        """The subset of `paths` present in the tree (small fixture trees lack some top-level folders)."""
        return [path for path in paths if (self.src / path).exists()]
