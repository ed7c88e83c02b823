"""The local stand-in for python:3.13-slim presents the official image's interface, so a recipe that works
on it does not lean on anything the real image lacks (and fails where the real image would: no git)."""

from __future__ import annotations

import json

import pytest
from careervp_ci.rehearsal.image import ensure_base_image
from careervp_ci.rehearsal.podman import podman, require_tools, run_flags

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def image() -> str:
    require_tools()
    return ensure_base_image()


def run(image: str, script: str) -> str:
    container = podman("create", *run_flags(), image, "sh", "-c", script).strip()
    try:
        podman("start", "--attach", container)
        return podman("logs", container)
    finally:
        podman("rm", "--force", container)


def test_python_and_pip_answer_by_the_official_names_in_the_lambda_version(image: str) -> None:
    versions = run(image, "python --version; pip --version")
    assert versions.startswith("Python 3.13.")
    assert "pip " in versions


def test_pip_installs_without_the_pep_668_refusal(image: str) -> None:
    assert "Successfully installed" in run(
        image, "pip install --quiet --no-deps --no-cache-dir six==1.16.0 && echo Successfully installed"
    )


def test_git_is_absent_as_in_the_official_image(image: str) -> None:
    assert run(image, "command -v git || echo no-git").strip() == "no-git"


def test_home_workdir_path_and_locale_follow_the_official_image(image: str) -> None:
    config = json.loads(podman("image", "inspect", image))[0]["Config"]
    assert config["WorkingDir"] in ("", "/")
    env = dict(item.split("=", 1) for item in config["Env"])
    assert env["PATH"].startswith("/usr/local/bin:") or env["PATH"].startswith(
        "/usr/local/sbin:/usr/local/bin:"
    )
    assert env["LANG"] == "C.UTF-8"
    assert run(image, 'echo "$HOME"').strip() == "/root"
