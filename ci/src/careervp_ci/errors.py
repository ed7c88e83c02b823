"""One error model for `careervp-ci`: an error a person can act on is a `CareervpError`, and its class says
the exit code, so each command line catches the base once (`host.cli.main`, `release.cli.dispatch`) and no
exception type from elsewhere (a stray `ValueError`) is mistaken for bad usage."""

from __future__ import annotations

from typing import ClassVar

FAILED = 1
USAGE = 2


class CareervpError(Exception):
    """A gate refused or something failed (exit 1); the message says what and what to do next."""

    exit_code: ClassVar[int] = FAILED


class UsageError(CareervpError):
    """Bad usage or configuration (exit 2); nothing was changed, and the message names the bad value."""

    exit_code: ClassVar[int] = USAGE
