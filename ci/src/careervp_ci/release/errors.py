"""The release's own errors. Every other error a release command meets (a bad digest, a busy environment, a
tampered ledger, a failed stack update) is raised by the module that found it and keeps its type up to the
command line's edge (`release.cli.dispatch`), which prints it and exits with its class's code. `doing` adds
what the command was doing to such an error's message without changing its type."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from careervp_ci.errors import CareervpError, UsageError


class ReleaseRefused(UsageError):
    """Bad usage or configuration; nothing was touched (exit 2)."""


class ReleaseFailed(CareervpError):
    """A gate refused or a deploy, verify or smoke failed (exit 1)."""


class SmokeUserFailed(ReleaseFailed):
    """The smoke user has no pool or cannot sign in: a smoke reports it as its failing line."""


@contextmanager
def doing(what: str, *kinds: type[CareervpError]) -> Iterator[None]:
    """Prefix `what: ` to the message of an error of `kinds` raised inside, keeping the error itself (its
    type, exit code, fields and traceback), so the person reads which step it broke."""
    try:
        yield
    except kinds as error:
        error.args = (f"{what}: {error}", *error.args[1:])
        raise
