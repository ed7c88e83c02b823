"""Scratch space that an interrupted command cannot leak: each scratch entry names its owner.

Every temporary folder or file the release makes (an unpacked artifact, a build's staging folder, a
half-written store object) is called `<label>.<host>.<pid>.<random>`. A command killed with SIGKILL
cannot clean up after itself, so the next command that uses the same parent calls `reclaim`: an entry
whose owner is provably gone (same host, pid no longer running the same process) or that is older than a
day is removed. Anything else may belong to a live command and is left alone.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STALE_SECONDS = 24 * 3600


def host() -> str:
    return socket.gethostname() or "unknown-host"


def process_start(pid: int) -> str:
    """The kernel's start time of `pid` (clock ticks since boot), '' when unknown: with the pid it names
    one process for the life of the machine, so a reused pid is not mistaken for the old holder."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return ""
    return fields[19] if len(fields) > 19 else ""


def process_gone(pid: int, start: str) -> bool:
    """Whether the process (`pid`, started at `start`) provably no longer runs on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return bool(start) and process_start(pid) not in ("", start)


def _owner_tag() -> str:
    return f"{host()}.{os.getpid()}"


@contextmanager
def scratch_dir(parent: Path, label: str) -> Iterator[Path]:
    """A fresh folder under `parent` for the block, removed afterwards; reclaimable if this process dies."""
    parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{label}.{_owner_tag()}.", dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def scratch_file(parent: Path, label: str) -> Path:
    """A fresh empty file under `parent` (the caller renames or removes it)."""
    parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f"{label}.{_owner_tag()}.", dir=parent)
    os.close(fd)
    return Path(name)


def _abandoned(entry: Path, now: float) -> bool:
    parts = entry.name.split(".")
    try:
        age = now - entry.lstat().st_mtime
    except FileNotFoundError:
        return False
    if age > STALE_SECONDS:
        return True
    if len(parts) < 4 or not parts[-2].isdigit():
        return False
    owner_host, pid = ".".join(parts[1:-2]), int(parts[-2])
    return owner_host == host() and pid != os.getpid() and process_gone(pid, "")


def reclaim(parent: Path) -> list[str]:
    """Remove the scratch entries under `parent` whose owner is gone; returns their names."""
    if not parent.is_dir():
        return []
    now = time.time()
    removed = []
    for entry in sorted(parent.iterdir()):
        if entry.name.count(".") >= 3 and _abandoned(entry, now):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry.name)
    return removed
