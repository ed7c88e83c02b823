"""The e2e suites' AWS emulator: one moto server per module, starting and ending empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from careervp_ci.release.emulator import quiet_emulator
from support.moto_server import clean_moto_server


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    quiet_emulator()
    with clean_moto_server() as endpoint:
        yield endpoint
