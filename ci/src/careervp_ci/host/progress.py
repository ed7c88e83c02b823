"""Live progress of a run: a rich table on a terminal, plain timestamped lines elsewhere (CI logs)."""

from __future__ import annotations

import sys
import threading
import time
from typing import Protocol, TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table

from careervp_ci.pipeline.steps.context import Status

SYMBOLS = {
    Status.PASSED: "✔",
    Status.CACHED: "⚡",
    Status.FAILED: "✘",
    Status.UNVERIFIED: "?",
    Status.SKIPPED: "-",
    Status.NEVER_RAN: "·",
    Status.STOPPED: "■",
    Status.NOT_CACHED: "○",
}
STYLES = {
    Status.PASSED: "green",
    Status.CACHED: "cyan",
    Status.FAILED: "bold red",
    Status.UNVERIFIED: "bold yellow",
    Status.SKIPPED: "dim",
    Status.NEVER_RAN: "dim",
    Status.STOPPED: "magenta",
    Status.NOT_CACHED: "dim",
}


class Progress(Protocol):
    def start(self, steps: list[str]) -> None: ...
    def running(self, step: str) -> None: ...
    def finished(self, step: str, status: Status, seconds: float, message: str) -> None: ...
    def stop(self) -> None: ...


class PlainProgress:
    """One line per event; readable in any log."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def _line(self, text: str) -> None:
        with self._lock:
            print(text, file=self._stream, flush=True)

    def start(self, steps: list[str]) -> None:
        self._line(f"plan: {', '.join(steps)}")

    def running(self, step: str) -> None:
        self._line(f"▶ {step} running")

    def finished(self, step: str, status: Status, seconds: float, message: str) -> None:
        self._line(f"{SYMBOLS[status]} {step} {status.value} ({seconds:.1f}s) {message}")

    def stop(self) -> None:
        """Nothing to tear down for plain lines."""


class LiveProgress:
    """A table redrawn in place: waiting, running (with elapsed time), and each verdict."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._rows: dict[str, tuple[str, float, str]] = {}
        self._started: dict[str, float] = {}
        self._lock = threading.Lock()
        self._live = Live(console=console, refresh_per_second=4, get_renderable=self._render, transient=False)

    def _render(self) -> Table:
        table = Table(show_header=True, header_style="bold", box=None)
        for column in ("step", "state", "time", ""):
            table.add_column(column)
        now = time.monotonic()
        with self._lock:
            for step, (state, seconds, message) in self._rows.items():
                if state == "running":
                    table.add_row(step, "[blue]running[/]", f"{now - self._started[step]:.1f}s", "")
                elif state == "waiting":
                    table.add_row(step, "[dim]waiting[/]", "", "")
                else:
                    status = Status(state)
                    label = f"[{STYLES[status]}]{SYMBOLS[status]} {state}[/]"
                    table.add_row(step, label, f"{seconds:.1f}s", message[:70])
        return table

    def start(self, steps: list[str]) -> None:
        with self._lock:
            self._rows = {step: ("waiting", 0.0, "") for step in steps}
        self._live.start()

    def running(self, step: str) -> None:
        with self._lock:
            self._started[step] = time.monotonic()
            self._rows[step] = ("running", 0.0, "")

    def finished(self, step: str, status: Status, seconds: float, message: str) -> None:
        with self._lock:
            self._rows[step] = (status.value, seconds, message)

    def stop(self) -> None:
        self._live.refresh()
        self._live.stop()


def progress_for(stream: TextIO = sys.stdout) -> Progress:
    """Live view on a terminal, plain lines otherwise."""
    if stream.isatty():
        return LiveProgress(Console(file=stream))
    return PlainProgress(stream)
