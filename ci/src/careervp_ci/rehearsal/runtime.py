"""The module installed the way the Dagger Python SDK runtime installs it: from `ci/` and its lock alone.

What the runtime does (dagger/dagger `sdk/python/runtime/main.go` at v0.21.8, unchanged on `backport-0.21`
through the v0.21.11 this project pins): a `python:<ci/.python-version>-slim` container with uv,
`UV_PROJECT_ENVIRONMENT=/opt/venv` and `UV_LINK_MODE=copy`; the module's directory mounted; `uv lock`; then
`UV_COMPILE_BYTECODE=1 uv sync --no-dev`; the main object is found through the `dagger.mod` entry point.
Nothing of the workspace's dev group is there. The rehearsal follows it twice:

- `installed_in_container`: that recipe, run by the rehearsal engine in podman on the image standing in for
  python:3.13-slim, ending in the registration import. It proves `ci/` installs and registers from its own
  lock on the runtime's image (cached by content: once per lock and module source).
- `module_python`: the same lock synced with no dev dependencies into a venv on the host, keyed by the lock's
  digest. The rehearsal's `dagger` runs the module's functions with that interpreter and `ci/src`, so a
  function that imports a package the module does not declare fails here as it would on the engine. (The
  functions run on the host, not in the runtime container, because the engine that resolves their queries
  drives podman from the host.)

One difference, deliberate: where the runtime runs `uv lock` (a stale lock is re-resolved, silently, to
versions nobody tested), both use `--locked`, which refuses a stale lock and names it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Final

import dagger
from dagger import dag

from careervp_ci.dagger_module.setup import PYTHON_IMAGE, UV_VERSION
from careervp_ci.rehearsal.podman import RehearsalUnavailable

MODULE_FILES: Final = ("pyproject.toml", "uv.lock", ".python-version")
"""What decides the module's installed packages: the runtime syncs from these."""
UV_ENV: Final = "CAREERVP_REHEARSAL_UV"
"""The uv the rehearsal installs the module with on the host (`uv run` sets $UV for its children; the
workflow runner passes it on to the jobs, whose environment is a runner's, not this process's)."""
SYNC: Final = ("uv", "sync", "--locked", "--no-dev")
REGISTER: Final = (
    "from importlib.metadata import entry_points\n"
    "(main,) = entry_points(group='dagger.mod', name='main_object')\n"
    "module = main.load().__dagger_module__\n"
    "print(' '.join(sorted(module._objects[main.load().__name__].functions)))\n"
)
"""What the runtime needs to register the module: the entry point, the main object and its functions."""
SDK_UV_CACHE: Final = "modpython-uv"
"""The uv cache volume the Python SDK's runtime installs a module with (dagger/dagger v0.21.8,
sdk/python/runtime/main.go: `dag.CacheVolume("modpython-uv")`)."""


class ModuleInstallFailed(Exception):
    """`ci/` does not install from its own lock the way the runtime installs it: the module's defect."""


def installed_in_container(repo: Path) -> dagger.Container:
    """The runtime's container for the module in `repo` (the folder holding dagger.json)."""
    module = dag.host().directory(str(repo / "ci"), exclude=["**/.venv/", "**/__pycache__/", "**/*.pyc"])
    return (
        dag.container()
        .from_(PYTHON_IMAGE)
        .with_env_variable("PYTHONUNBUFFERED", "1")
        .with_env_variable("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .with_exec(["pip", "install", "--no-cache-dir", f"uv=={UV_VERSION}"])
        .with_mounted_cache("/root/.cache/uv", dag.cache_volume(SDK_UV_CACHE))
        .with_env_variable("UV_LINK_MODE", "copy")
        .with_env_variable("UV_PROJECT_ENVIRONMENT", "/opt/venv")
        .with_env_variable("UV_COMPILE_BYTECODE", "1")
        .with_directory("/src/ci", module)
        .with_workdir("/src/ci")
        .with_exec(list(SYNC))
        .with_exec(["/opt/venv/bin/python", "-c", REGISTER])
    )


def uv_binary() -> str:
    found = os.environ.get(UV_ENV) or os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise RehearsalUnavailable(
            "installing the module as the Dagger runtime does needs uv: run the rehearsal through "
            f"`uv run` (or `make rehearse`), or set {UV_ENV}"
        )
    return found


def lock_digest(module: Path) -> str:
    digest = hashlib.sha256()
    for name in MODULE_FILES:
        path = module / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")
    return digest.hexdigest()[:16]


def module_python(repo: Path, cache: Path) -> Path:
    """The interpreter of a venv holding exactly what `ci/uv.lock` installs without dev dependencies (the
    module's own code comes from `ci/src` on PYTHONPATH, as the runtime's editable install has it)."""
    module = repo / "ci"
    venv = cache / "module-runtime" / lock_digest(module)
    python = venv / "bin" / "python"
    if python.is_file():
        return python
    venv.parent.mkdir(parents=True, exist_ok=True)
    with (venv.parent / f"{venv.name}.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # two rehearsals installing one lock: one installs, one waits
        if not python.is_file():
            _sync(module, venv)
    return python


def _sync(module: Path, venv: Path) -> None:
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv), "UV_COMPILE_BYTECODE": "1"}
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        [uv_binary(), *SYNC[1:], "--no-install-project", "--project", str(module)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        shutil.rmtree(venv, ignore_errors=True)
        raise ModuleInstallFailed(
            f"the module does not install from {module}/uv.lock as the Dagger runtime installs it "
            f"({' '.join(SYNC)}):\n{done.stderr.strip()[-2000:]}"
        )
