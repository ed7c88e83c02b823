"""The e2e suites' AWS emulator (one moto server per module, starting and ending empty) and one release
build of HEAD, made once per session in a fresh clone and shared by the suites that need a real artifact."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from careervp_ci.release.emulator import prepare_emulator
from support.moto_server import clean_moto_server
from support.release_cli import REPO, Built, fresh_clone, process_env, run_cli


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    prepare_emulator()
    with clean_moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    clone = fresh_clone(REPO, tmp_path_factory.mktemp("build-a") / "clone-a")
    result = run_cli(clone, process_env(), "build")
    assert result.code == 0, result.err
    head = subprocess.run(
        ["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    )
    return Built(clone, result.out.strip(), head.stdout.strip())
