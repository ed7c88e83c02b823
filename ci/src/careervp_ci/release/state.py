"""This machine's release workspace: `.careervp/` in the working directory, or `$CAREERVP_STATE_DIR`.

It holds what is local by nature: the build caches, scratch space, a copy of each failure's evidence (for
the Dagger function to return) and the default artifact store `artifacts/`. The shared release state
(ledger, approvals, locks, failure evidence) lives in the artifact store, wherever that is (`careervp_ci.
store`); with the default store it is under `.careervp/artifacts/`, so a first-time user needs nothing.
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
