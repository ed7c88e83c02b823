"""One release operation per environment at a time: an fcntl lock file per environment.

A second deploy to an environment that is busy is refused immediately (it does not wait): the message names
the holder (pid, command, digest, since), so the person can wait for it or find the stuck process. The
kernel drops the lock when the holder exits, so a crashed deploy never leaves the environment locked.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from careervp_ci.release.ledger import now


class EnvironmentBusyError(Exception):
    """Another release operation holds the environment's lock."""


def _describe(holder_text: str) -> str:
    try:
        holder = json.loads(holder_text)
    except json.JSONDecodeError:
        return "an unidentified process"
    return (
        f"pid {holder.get('pid')} ({holder.get('operation')} of {holder.get('digest') or 'no artifact'}, "
        f"since {holder.get('since')})"
    )


@contextmanager
def environment_lock(locks: Path, env: str, *, operation: str, digest: str = "") -> Iterator[None]:
    """Hold `env`'s lock for the block, or raise EnvironmentBusyError naming who holds it."""
    locks.mkdir(parents=True, exist_ok=True)
    path = locks / f"{env}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = path.read_text(encoding="utf-8")
            raise EnvironmentBusyError(
                f"environment {env!r} is busy: {_describe(holder)} holds {path}. Refused without waiting; "
                "run the command again when that one has finished."
            ) from None
        record = {"pid": os.getpid(), "operation": operation, "digest": digest, "since": now()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
