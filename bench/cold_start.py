"""The cold-start scenario: each handler's import from the Lambda asset inside the built artifact.

    uv run python bench/cold_start.py [--imports N]   (alone; `bench/run.py` runs it with the rest)

The artifact is built by the release build (`careervp_ci.release.build`) from this tree; its code asset, the
zip the deploy uploads as is, is unzipped into a folder that is then made read-only, as Lambda unpacks the
package into /var/task. The handlers are imported from there in a fresh interpreter that sees only that
folder and the stdlib (-S, PYTHONDONTWRITEBYTECODE=1): once as shipped, once from the same folder without
its `__pycache__` (what the runtime would compile at every cold start), and against today's package (the
BASELINE commit, issue 16's reference).

The artifact is built for the Lambda platform (arm64). On another machine, the asset's native extension
modules (the only platform-specific files: pydantic-core, jiter, wrapt) are swapped for this machine's build
of the same pins; every Python module and its bytecode stays the artifact's, byte for byte.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import stat
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from careervp_ci.release.artifact import read_manifest, unpack
from careervp_ci.release.build import LAMBDA_ARCHITECTURE, LAMBDA_PLATFORMS, LAMBDA_PYTHON, build, find_uv

REPOSITORY = Path(__file__).resolve().parents[1]
BASELINE = "e0d2a3a"
"""The commit before issue 16's work: today's Lambda package for the cold-start ratio."""
HANDLERS = ("health", "kb", "gap", "billing")
MACHINE_ARCHITECTURES = {"x86_64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}
EXTENSION = ".so"


def run_uv_install(uv: Path, requirements: Path, into: Path, architecture: str) -> Path:
    """The pins installed for `architecture`'s Lambda platform, wheels only (as the build installs them)."""
    subprocess.run(
        [
            *(str(uv), "pip", "install", "--quiet", "--target", str(into)),
            *("--python-platform", LAMBDA_PLATFORMS[architecture], "--python-version", LAMBDA_PYTHON),
            *("--only-binary", ":all:", "-r", str(requirements)),
        ],
        check=True,
    )
    return into


def baseline_package(requirements: Path, uv: Path, into: Path, architecture: str) -> Path:
    """Today's package: the same pins installed without bytecode, and the BASELINE commit's `careervp`."""
    run_uv_install(uv, requirements, into, architecture)
    archive = subprocess.run(
        ["git", "archive", BASELINE, "src/backend/careervp"], cwd=REPOSITORY, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(into), "--strip-components=2"], input=archive.stdout, check=True)
    return into


def as_lambda_unpacks(asset: Path, task: Path) -> Path:
    """The code zip `asset`, unzipped into `task`."""
    with zipfile.ZipFile(asset) as archive:
        archive.extractall(task)
    return task


def swap_native_extensions(task: Path, native: Path) -> list[str]:
    """Replace the asset's extension modules with `native`'s (same pins, this machine); returns them."""
    for shipped in sorted(task.rglob(f"*{EXTENSION}")):
        shipped.unlink()
    swapped = []
    for module in sorted(native.rglob(f"*{EXTENSION}")):
        relative = module.relative_to(native)
        if (task / relative.parent).is_dir():
            shutil.copy2(module, task / relative)
            swapped.append(relative.as_posix())
    return swapped


def read_only(folder: Path) -> Path:
    """chmod -R a-w: the runtime's /var/task cannot be written, so no bytecode is written at import."""
    for path in sorted(folder.rglob("*"), reverse=True):
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    folder.chmod(folder.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return folder


def without_bytecode(task: Path, into: Path) -> Path:
    shutil.copytree(task, into, ignore=shutil.ignore_patterns("__pycache__"))
    return into


def shipped_asset(scratch: Path) -> tuple[Path, Path, dict[str, object]]:
    """The asset of the artifact built from this tree, unpacked as Lambda unpacks it (writable, for the
    native swap); the artifact's requirements; facts about both."""
    result = build(REPOSITORY, scratch / "artifact.tar", scratch / "build-cache", log=lambda _: None)
    bundle = scratch / "bundle"
    unpack(result.tar_path, bundle)
    asset = bundle / str(read_manifest(bundle)["lambda"]["asset"])
    task = as_lambda_unpacks(asset, scratch / "task")
    facts = {
        "artifact": str(result.digest),
        "modules": sum(1 for _ in task.rglob("*.py")),
        "bytecode_files": sum(1 for _ in task.rglob("*.pyc")),
    }
    return task, bundle / "requirements.lambda.txt", facts


def import_seconds(package: Path, handler: str, repeats: int) -> float:
    """Median import time of one handler in a fresh interpreter that sees only the package and the stdlib."""
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]); started = time.perf_counter(); "
        f"import careervp.handlers.{handler}; print(time.perf_counter() - started)"
    )
    env = {"PATH": os.environ["PATH"], "PYTHONDONTWRITEBYTECODE": "1", "LC_ALL": "C.UTF-8"}
    times = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-S", "-c", code, str(package)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(float(done.stdout.strip()))
    return statistics.median(times)


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def cold_start(scratch: Path, repeats: int) -> dict[str, object]:
    """Each handler's import from the shipped asset, from it without bytecode, and from today's package."""
    architecture = MACHINE_ARCHITECTURES[platform.machine()]
    uv = find_uv(REPOSITORY)
    task, requirements, facts = shipped_asset(scratch)
    if architecture != LAMBDA_ARCHITECTURE:
        native = run_uv_install(uv, requirements, scratch / "native", architecture)
        facts["native_extensions_swapped"] = swap_native_extensions(task, native)
    source_only = read_only(without_bytecode(task, scratch / "task-without-bytecode"))
    shipped = read_only(task)
    today = baseline_package(requirements, uv, scratch / "today", architecture)
    imports = {
        handler: {
            "today": round(import_seconds(today, handler, repeats), 3),
            "without_bytecode": round(import_seconds(source_only, handler, repeats), 3),
            "now": round(import_seconds(shipped, handler, repeats), 3),
        }
        for handler in HANDLERS
    }
    return {
        "architecture": architecture,
        "asset": facts,
        "imports": imports,
        "bytes": {"today": folder_bytes(today), "now": folder_bytes(shipped)},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--imports", type=int, default=5, help="imports per handler and package (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(
        prefix="careervp-cold-start-"
    ) as scratch:  # removes read-only folders too
        print(json.dumps(cold_start(Path(scratch), args.imports), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
