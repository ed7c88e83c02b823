"""One release operation per environment at a time, across every runner that shares the store.

The lock is `locks/<env>.json`, made with the store's conditional create (`If-None-Match: *` on S3, an
exclusive link in a folder): exactly one creator wins. The record names the holder (run, operation,
digest, pid and host, since when) and a lease that a background thread renews while the holder runs.
A second command is refused at once, naming the holder, unless the holder is dead:
- its lease ran out (it stopped renewing: killed, or its machine is gone), or
- it ran on this host and its process is provably gone (pid not running, or reused by another process),
in which case the lock is taken over and the message names the old holder. Takeover first creates
`locks/<env>.takeover.<old run>` (conditional), so of two commands racing for a dead holder's lock only
one may replace it. The lease relies on roughly synchronized clocks (NTP), as S3 lease schemes do.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from careervp_ci.errors import CareervpError, UsageError
from careervp_ci.release.ledger import now
from careervp_ci.release.scratch import host, process_gone, process_start
from careervp_ci.release.store import Backend

LEASE_ENV = "CAREERVP_LOCK_LEASE_SECONDS"
DEFAULT_LEASE = 300.0
"""Long enough that a stalled renewal is not mistaken for death, short enough that a killed CI job's
environment is free again within minutes."""


class EnvironmentBusyError(CareervpError):
    """Another release operation holds the environment's lock."""


def describe(holder: dict[str, Any]) -> str:
    return (
        f"run {holder.get('run') or '?'} ({holder.get('operation')} of "
        f"{holder.get('digest') or 'no artifact'} by pid {holder.get('pid')} on {holder.get('host')}, "
        f"since {holder.get('since')})"
    )


def lease_seconds() -> float:
    configured = os.environ.get(LEASE_ENV, "")
    try:
        value = float(configured) if configured else DEFAULT_LEASE
    except ValueError:
        value = -1.0
    if value <= 0:
        raise UsageError(f"${LEASE_ENV}={configured!r} is not a positive number of seconds (default 300)")
    return value


@dataclass
class Lock:
    """A held lock; `taken_over` is the dead holder's record when this lock replaced one."""

    backend: Backend
    key: str
    record: dict[str, Any]
    taken_over: dict[str, Any] | None
    lost: bool = False

    def renew(self) -> None:
        current = _read(self.backend, self.key)
        if current is None or current.get("run") != self.record["run"]:
            self.lost = True
            return
        self.record = {**self.record, "expires": time.time() + float(self.record["lease"])}
        self.backend.write(self.key, _encode(self.record))

    def release(self) -> None:
        current = _read(self.backend, self.key)
        if current is not None and current.get("run") == self.record["run"]:
            self.backend.delete(self.key)


def _encode(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, indent=2, sort_keys=True) + "\n").encode()


def _read(backend: Backend, key: str) -> dict[str, Any] | None:
    data = backend.read(key)
    if data is None:
        return None
    try:
        record: dict[str, Any] = json.loads(data)
    except ValueError:
        return {"run": "", "operation": "an unreadable lock record", "host": "?", "expires": 0}
    return record


def why_dead(holder: dict[str, Any], at: float) -> str:
    """Why the holder is dead ('' if it may be alive)."""
    if float(holder.get("expires", 0)) < at:
        return f"its lease expired at {time.strftime('%H:%M:%SZ', time.gmtime(float(holder['expires'])))}"
    pid = holder.get("pid")
    if (
        holder.get("host") == host()
        and isinstance(pid, int)
        and process_gone(pid, holder.get("pid_start", ""))
    ):
        return f"its process {pid} no longer runs on this host"
    return ""


def acquire(
    backend: Backend, env: str, *, run: str, operation: str, digest: str, log: Callable[[str], None]
) -> Lock:
    """Take `env`'s lock, or raise EnvironmentBusyError naming the live holder."""
    key = f"locks/{env}.json"
    lease = lease_seconds()
    record = {
        "env": env,
        "run": run,
        "operation": operation,
        "digest": digest,
        "pid": os.getpid(),
        "pid_start": process_start(os.getpid()),
        "host": host(),
        "since": now(),
        "lease": lease,
        "expires": time.time() + lease,
    }
    if backend.create(key, _encode(record)):
        return Lock(backend, key, record, None)
    holder = _read(backend, key)
    if holder is None:  # released between our create and read: one more try
        if backend.create(key, _encode(record)):
            return Lock(backend, key, record, None)
        holder = _read(backend, key) or {}
    reason = why_dead(holder, time.time())
    busy = (
        f"environment {env!r} is busy: {describe(holder)} holds {backend.where(key)}. Refused without "
        "waiting; run the command again when that one has finished."
    )
    if not reason:
        raise EnvironmentBusyError(busy)
    if not backend.create(f"locks/{env}.takeover.{holder.get('run') or 'unknown'}", _encode(record)):
        raise EnvironmentBusyError(busy + " (another command is taking over its dead holder's lock)")
    backend.delete(key)
    if not backend.create(key, _encode(record)):
        raise EnvironmentBusyError(busy)
    log(f"took over the lock of {env} from {describe(holder)}: {reason}")
    return Lock(backend, key, record, holder)


@contextmanager
def environment_lock(
    backend: Backend,
    env: str,
    *,
    run: str,
    operation: str,
    digest: str = "",
    log: Callable[[str], None] = lambda _: None,
) -> Iterator[Lock]:
    """Hold `env`'s lock for the block (renewing its lease), or raise EnvironmentBusyError."""
    lock = acquire(backend, env, run=run, operation=operation, digest=digest, log=log)
    stop = threading.Event()

    def heartbeat() -> None:
        interval = float(lock.record["lease"]) / 4
        while not stop.wait(interval) and not lock.lost:
            try:
                lock.renew()
            except Exception as error:  # a missed renewal is retried; the lease has slack for three
                log(f"could not renew the lock of {env}: {error}")
        if lock.lost:
            log(f"WARNING: the lock of {env} was taken over by another command while this one held it")

    thread = threading.Thread(target=heartbeat, name=f"lock-{env}", daemon=True)
    thread.start()
    try:
        yield lock
    finally:
        stop.set()
        thread.join(timeout=10)
        lock.release()
