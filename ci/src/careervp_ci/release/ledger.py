"""The promotion ledger: one JSON line per deploy attempt, per environment, append-only.

`<state>/ledger/<env>.jsonl`. Promotion reads it (the digest that last passed verify and smoke in the source
environment), failure messages read it (the digest to redeploy), and `careervp-ci ledger` prints it.
Refusals (bad digest, missing secret, held lock, ...) never write: nothing happened to the environment.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

Outcome = Literal["succeeded", "deploy-failed", "verify-failed", "smoke-failed", "destroyed"]


@dataclass(frozen=True)
class Entry:
    env: str
    digest: str
    commit: str
    time: str
    outcome: Outcome
    target: str
    """`aws` or `emulator`: where the deploy really went."""
    detail: str = ""

    @property
    def succeeded(self) -> bool:
        return self.outcome == "succeeded"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Ledger:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _file(self, env: str) -> Path:
        return self.folder / f"{env}.jsonl"

    def record(self, entry: Entry) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps(asdict(entry), sort_keys=True) + "\n"
        with self._file(entry.env).open("a", encoding="utf-8") as stream:
            fcntl.flock(stream, fcntl.LOCK_EX)
            stream.write(line)
            stream.flush()
            os.fsync(stream.fileno())

    def entries(self, env: str | None = None) -> list[Entry]:
        """Entries for `env` (or every environment), oldest first."""
        files = [self._file(env)] if env else sorted(self.folder.glob("*.jsonl"))
        found = [
            Entry(**json.loads(line))
            for path in files
            if path.is_file()
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        return sorted(found, key=lambda entry: entry.time) if env is None else found

    def last_good(self, env: str) -> Entry | None:
        """The latest deploy of `env` that passed verify and smoke."""
        good = [entry for entry in self.entries(env) if entry.succeeded]
        return good[-1] if good else None

    def current(self, env: str) -> Entry | None:
        """What `env` is running now per the ledger: the last successful deploy, unless destroyed since."""
        for entry in reversed(self.entries(env)):
            if entry.outcome in ("succeeded", "destroyed"):
                return entry if entry.succeeded else None
        return None
