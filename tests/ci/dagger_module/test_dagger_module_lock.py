"""The Dagger module's own lockfile, `ci/uv.lock`, as the engine's Python runtime reads it.

What the runtime does (dagger/dagger `sdk/python/runtime`, v0.21.x): it uploads `dagger.json` and the
module source dir `ci/` only, so `ci/` is a project of its own there, not a workspace member; with a
`uv.lock` in it the runtime runs `uv lock` and then `uv sync --no-dev` in `ci/` (no extras, no dev group).
With no `[tool.uv.sources] dagger-io` path it does not vendor the SDK: `dagger-io` comes from the lock.

These tests pin that the lock is there, is fresh for `ci/pyproject.toml` (checked by uv itself, on a copy of
`ci/` outside the workspace, as the runtime sees it), follows the workspace lock's versions, and that what the
runtime installs from it is what the module imports: no pydantic, and rich only because dagger-io needs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from dagger._engine._version import CLI_VERSION
from support.uv import uv

ROOT = Path(__file__).resolve().parents[3]
MODULE_SOURCE = ROOT / json.loads((ROOT / "dagger.json").read_text())["source"]
MODULE_LOCK = MODULE_SOURCE / "uv.lock"
ISOLATED_FILES = ("pyproject.toml", ".python-version", "uv.lock")
"""What `uv lock` reads in the module source dir (the Python code is not needed to lock)."""
HOST_ONLY = {"dulwich", "pydantic", "rich"}
"""Kept off careervp_ci at every import the module runtime can reach (progress.py: rich; release/targets.py:
pydantic; history.py: dulwich), even where dagger-io has already loaded rich."""
HOST_EXTRA = HOST_ONLY | {
    "pyyaml", "boto3", "botocore", "coverage", "cyclonedx-python-lib", "moto[server]", "playwright", "pytest",
    "policy-sentry", "cfn-lint",
}  # fmt: skip
"""The `host` extra: every third-party package careervp_ci imports beside the runtime's two (deptry holds it
to the imports: tests/unit/scripts/test_declared_dependencies.py); the module runtime installs none."""


def isolated_copy(target: Path, pyproject: str | None = None) -> Path:
    """`ci/` as the engine uploads it: the module source dir alone, with no workspace root above it."""
    target.mkdir()
    for name in ISOLATED_FILES:
        shutil.copyfile(MODULE_SOURCE / name, target / name)
    if pyproject is not None:
        (target / "pyproject.toml").write_text(pyproject)
    return target


def run_uv(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_PROJECT", "VIRTUAL_ENV"))}
    return subprocess.run(
        [uv(), *args, "--offline", "--directory", str(cwd), "--python", sys.executable],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=120,
    )


def lock_packages(path: Path) -> dict[str, dict[str, Any]]:
    return {package["name"]: package for package in tomllib.loads(path.read_text())["package"]}


def project() -> dict[str, Any]:
    table: dict[str, Any] = tomllib.loads((MODULE_SOURCE / "pyproject.toml").read_text())["project"]
    return table


def runtime_install_set(copy: Path) -> dict[str, str]:
    """What `uv sync --no-dev` installs from the lock (same selection: no extras, no dev group), by name."""
    done = run_uv(
        "export", "--frozen", "--no-dev", "--no-hashes", "--no-header", "--no-annotate",
        "--format", "requirements-txt", cwd=copy,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    pins = [line for line in done.stdout.splitlines() if line and not line.startswith(("-e", "#"))]
    return dict(pin.split("==", 1) for pin in pins)


def test_the_module_lock_is_the_file_the_runtime_reads() -> None:
    """`<source>/uv.lock` (the runtime's `UvLock` in the module source dir), committed and not git-ignored
    (the engine uploads with gitignore honoured), locked as a standalone project (not a workspace slice)."""
    assert MODULE_SOURCE == ROOT / "ci"
    assert MODULE_LOCK.is_file(), "ci/uv.lock is missing: run `make lock-module`"
    if (ROOT / ".git").exists():  # a checkout (in the Dagger container the tree comes without history)
        ignored = subprocess.run(["git", "check-ignore", "-q", str(MODULE_LOCK)], cwd=ROOT, check=False)
        assert ignored.returncode == 1, "ci/uv.lock is git-ignored, so the engine would never upload it"
    assert not (MODULE_SOURCE / "requirements.lock").exists()
    lock = tomllib.loads(MODULE_LOCK.read_text())
    assert lock["version"] == 1
    assert "members" not in lock.get("manifest", {}), "ci/uv.lock was locked as part of the workspace"
    root_package = lock_packages(MODULE_LOCK)[project()["name"]]
    assert root_package["source"] == {"editable": "."}


def test_dagger_io_comes_from_the_lock_at_the_engine_release() -> None:
    """With a uv.lock the runtime vendors the SDK only where `[tool.uv.sources] dagger-io` names a path; this
    module names none (the workspace would then need `ci/sdk` on every host), so dagger-io is the locked
    PyPI release, and it must be the engine's."""
    sources = tomllib.loads((MODULE_SOURCE / "pyproject.toml").read_text()).get("tool", {}).get("uv", {})
    assert "dagger-io" not in sources.get("sources", {})
    dagger_io = lock_packages(MODULE_LOCK)["dagger-io"]
    assert dagger_io["version"] == CLI_VERSION
    assert dagger_io["source"] == {"registry": "https://pypi.org/simple"}


def test_the_module_lock_is_fresh_for_ci_pyproject(tmp_path: Path) -> None:
    done = run_uv("lock", "--check", cwd=isolated_copy(tmp_path / "ci"))
    assert done.returncode == 0, f"ci/uv.lock is stale, run `make lock-module`:\n{done.stderr}"


def test_the_freshness_check_fails_when_ci_pyproject_moves_on(tmp_path: Path) -> None:
    """Planted drift: pydantic back among the module's dependencies, the lock left as it is."""
    text = (MODULE_SOURCE / "pyproject.toml").read_text()
    drifted = text.replace('    "anyio>=4.4",\n', '    "anyio>=4.4",\n    "pydantic==2.14.3",\n', 1)
    assert drifted != text
    done = run_uv("lock", "--check", cwd=isolated_copy(tmp_path / "ci", pyproject=drifted))
    assert done.returncode != 0
    # Offline, the drifted requirement either shows as a stale lock or cannot even be resolved from the cache
    # (which packages the cache holds differs between the host and the Dagger container).
    reasons = ("needs to be updated", "not found in the cache", "the network was disabled")
    assert any(reason in done.stderr for reason in reasons), done.stderr


def test_the_module_lock_follows_the_workspace_lock() -> None:
    """`make lock-module` seeds the module's lock with the workspace's: the module runs the host versions."""
    workspace = lock_packages(ROOT / "uv.lock")
    module = lock_packages(MODULE_LOCK)
    drift = {
        name: (package["version"], workspace.get(name, {}).get("version"))
        for name, package in module.items()
        if package["version"] != workspace.get(name, {}).get("version")
    }
    assert drift == {}, f"module lock vs workspace lock (run `make lock-module`): {drift}"


def test_the_module_requires_what_it_imports_and_the_host_extra_the_rest() -> None:
    assert sorted(r.split(">")[0].split("=")[0] for r in project()["dependencies"]) == ["anyio", "dagger-io"]
    assert {r.split("=")[0].split(">")[0] for r in project()["optional-dependencies"]["host"]} == HOST_EXTRA
    workspace = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "careervp-ci[host]" in workspace["dependency-groups"]["dev"]


def test_the_runtime_installs_no_pydantic_and_rich_only_for_dagger_io(tmp_path: Path) -> None:
    installed = runtime_install_set(isolated_copy(tmp_path / "ci"))
    assert installed["dagger-io"] == CLI_VERSION
    assert "anyio" in installed
    assert "pydantic" not in installed
    packages = lock_packages(MODULE_LOCK)
    needs_rich = {
        name for name in installed if any(d["name"] == "rich" for d in packages[name].get("dependencies", []))
    }
    assert needs_rich == {"dagger-io"}, "something besides dagger-io pulls rich into the module runtime"


BLOCKER = """
import builtins, importlib.abc, importlib.metadata, sys
ALLOWED = {allowed!r}
HOST_ONLY = {host_only!r}
NOT_UPLOADED = {not_uploaded!r}
OWNERS = importlib.metadata.packages_distributions()

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        owners = {{d.lower().replace("_", "-") for d in OWNERS.get(top, [])}}
        if top in NOT_UPLOADED or (owners and not owners & ALLOWED):
            missing = f"{{name}} {{sorted(owners)}} is not installed in the Dagger module runtime"
            raise ModuleNotFoundError(missing)

real_import = builtins.__import__

def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    importer = (globals or {{}}).get("__name__") or ""
    if level == 0 and name.partition(".")[0] in HOST_ONLY and importer.startswith("careervp_ci"):
        raise ImportError(f"{{importer}} imports {{name}}, which only the host executor has")
    return real_import(name, globals, locals, fromlist, level)

sys.meta_path.insert(0, Block())
builtins.__import__ = guarded_import
"""
"""Imports limited to the distributions the module runtime installs; first-party code outside `ci/` refused
(the engine uploads only `ci/`); and careervp_ci kept off rich and pydantic at every import statement, even
where dagger-io has already loaded rich (a finder alone would miss a module already in `sys.modules`)."""
NOT_UPLOADED = {"careervp", "careervp_local", "careervp_infra"}
"""The workspace root's packages (src/backend, infra): outside `ci/`, so never in the module runtime."""


def probe(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    """`code` run with imports limited to what the module runtime installs, and careervp_ci kept off rich and
    pydantic even where dagger-io brings them along."""
    installed = set(runtime_install_set(isolated_copy(tmp_path / "ci"))) | {project()["name"]}
    blocker = BLOCKER.format(
        allowed={n.lower().replace("_", "-") for n in installed},
        host_only=HOST_ONLY,
        not_uploaded=NOT_UPLOADED,
    )
    return subprocess.run(
        [sys.executable, "-c", blocker + code], capture_output=True, text=True, check=False, cwd=ROOT
    )


def test_the_module_loads_with_only_what_its_lock_installs(tmp_path: Path) -> None:
    done = probe(tmp_path, "from dagger.mod.cli import load_module\nprint(sorted(load_module()._objects))\n")
    assert done.returncode == 0, done.stderr
    assert "Careervp" in done.stdout


@pytest.mark.parametrize(
    ("code", "named"),
    [
        (
            "import careervp_ci.host.progress",
            "careervp_ci.host.progress imports rich.console, which only the host executor has",
        ),
        (
            "exec('from pydantic import BaseModel', {'__name__': 'careervp_ci.probe'})",
            "careervp_ci.probe imports pydantic",
        ),
        ("import pydantic", "pydantic ['pydantic'] is not installed in the Dagger module runtime"),
        ("import careervp_ci.release.store", "boto3 ['boto3'] is not installed in the Dagger module runtime"),
        ("import careervp.config", "careervp [] is not installed in the Dagger module runtime"),
    ],
)
def test_the_load_probe_refuses_what_the_runtime_lacks(tmp_path: Path, code: str, named: str) -> None:
    """The probe can fail: host-only imports from careervp_ci, packages the lock does not install, and the
    workspace's other packages are each refused, and named."""
    done = probe(tmp_path, code + "\n")
    assert done.returncode != 0
    assert named in done.stderr, done.stderr
