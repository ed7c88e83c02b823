"""A pytest plugin (`-p careervp_ci.pytest_collected`): writes the ids of the tests a run collected to the
file named by `$CAREERVP_COLLECTED`, so the test-impact map knows every test, mapped to coverage or not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

COLLECTED_ENV = "CAREERVP_COLLECTED"


def pytest_collection_finish(session: pytest.Session) -> None:
    if target := os.environ.get(COLLECTED_ENV):
        Path(target).write_text("".join(f"{item.nodeid}\n" for item in session.items), encoding="utf-8")
