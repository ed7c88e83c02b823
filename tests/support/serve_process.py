"""`careervp-ci serve` as a developer starts it: a real process with a clean environment, read up to its
ready line (the integration tests of `serve` and of the contract share it)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import pytest

READY = re.compile(r"^ready: (http://127\.0\.0\.1:\d+)")
EXPORT = re.compile(r"^export STRIPE_WEBHOOK_SECRET=(\S+)$")
TOKEN = re.compile(r"^export CAREERVP_ID_TOKEN=(\S+)$")
STARTUP_SECONDS = 60
"""A safety net, not a timing assertion. (The missing ready lines once blamed on a slow start were `serve`
failing: the emulator held over 100 tables, and provisioning read only ListTables' first page.)"""
STOP_SECONDS = 60
"""A safety net for Ctrl-C to end the process, not a timing assertion: at load 5 on two cores, stopping the
emulator, the stand-in and the server once took over 15 s."""


@dataclass
class Served:
    process: subprocess.Popen[str]
    base_url: str
    secret: str
    token: str
    lines: list[str]


def clean_env() -> dict[str, str]:
    """The environment of a fresh shell: no webhook secret, no AWS settings of any kind."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "STRIPE_", "CAREERVP_"))
    }


def start(*args: str, launcher: tuple[str, ...] = ()) -> Served:
    """Run `careervp-ci serve ARGS` (through `launcher`, a command that execs the rest) and read its output
    up to the ready line."""
    process = subprocess.Popen(
        [*launcher, sys.executable, "-m", "careervp_ci.host.cli", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_env(),
    )
    assert process.stdout is not None
    lines: list[str] = []
    secret = token = base_url = ""
    deadline = time.monotonic() + STARTUP_SECONDS
    while not base_url and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if found := EXPORT.match(lines[-1]):
            secret = found.group(1)
        if found := TOKEN.match(lines[-1]):
            token = found.group(1)
        if found := READY.match(lines[-1]):
            base_url = found.group(1)
    if not base_url:
        process.kill()
        pytest.fail("no ready line:\n" + "\n".join(lines))
    return Served(process, base_url, secret, token, lines)


def keep_reading(served: Served) -> None:
    """Read the server's output from here on in a background thread: its handlers log every request to
    stdout, and a pipe nobody reads fills and blocks the server mid-answer."""
    stream = served.process.stdout
    assert stream is not None

    def read() -> None:
        for line in stream:
            served.lines.append(line.rstrip("\n"))

    threading.Thread(target=read, name="serve-output", daemon=True).start()
