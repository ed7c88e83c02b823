"""Where release state lives: `.careervp/` in the working directory, or `$CAREERVP_STATE_DIR`.

Ledger, locks, approvals, reports, the default artifact store and the build caches all sit under it, so a
test (or a second checkout) gets a fully separate release history by pointing the variable elsewhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

STATE_ENV = "CAREERVP_STATE_DIR"


@dataclass(frozen=True)
class StateDir:
    root: Path

    @classmethod
    def from_env(cls) -> StateDir:
        configured = os.environ.get(STATE_ENV)
        return cls(Path(configured).expanduser() if configured else Path.cwd() / ".careervp")

    @property
    def ledger(self) -> Path:
        return self.root / "ledger"

    @property
    def locks(self) -> Path:
        return self.root / "locks"

    @property
    def approvals(self) -> Path:
        return self.root / "approvals"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def work(self) -> Path:
        """Scratch space for unpacked artifacts and builds (each use makes its own subfolder)."""
        path = self.root / "work"
        path.mkdir(parents=True, exist_ok=True)
        return path
