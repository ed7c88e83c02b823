"""The pinned uv for tests that build or lock the module as the engine's runtime would."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def uv() -> str:
    """`$UV` (set by `uv run`), the project's `.tools/bin/uv`, or `uv` on PATH."""
    for candidate in (os.environ.get("UV"), ROOT / ".tools/bin/uv", shutil.which("uv")):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    pytest.fail("no uv found: run the tests through `.tools/bin/uv run pytest` (make setup installs it)")
