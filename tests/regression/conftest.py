from __future__ import annotations

from pathlib import Path

import pytest
from support.synth import session_assembly


@pytest.fixture(scope="session")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tree's cloud assembly, synthesized once per session (shared with tests/unit/infra)."""
    return session_assembly(tmp_path_factory)


@pytest.fixture(scope="session")
def emulator_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return session_assembly(tmp_path_factory, emulator=True)
