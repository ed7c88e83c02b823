"""The SPA as the release builds it (`release.spa.build_spa`: the locked install, then esbuild), from a copy
of the tree's frontend/ so no test writes into the working tree. The tree's installed node_modules is
linked into the copy when it holds exactly the lock (`npm ci` otherwise, as the release build would)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from careervp_ci.pipeline.steps.frontend import FRONTEND, installed
from careervp_ci.release.spa import SPA, build_spa

ROOT = Path(__file__).resolve().parents[2]


def _run(stage: str, argv: list[str], cwd: Path) -> None:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{stage}: {done.stderr}"


def build_the_spa(scratch: Path) -> Path:
    """Build the tree's SPA into `scratch`/bundle/spa/; returns the bundle (what the artifact holds)."""
    tree = ROOT / FRONTEND
    copy = scratch / "src" / FRONTEND
    shutil.copytree(tree, copy, ignore=shutil.ignore_patterns("node_modules", "dist"))
    if installed(tree):
        (copy / "node_modules").symlink_to(tree / "node_modules", target_is_directory=True)
    bundle = scratch / "bundle"
    bundle.mkdir()
    build_spa(scratch / "src", bundle, _run)
    return bundle


def built_files(bundle: Path) -> dict[str, bytes]:
    """The built SPA's files by key, as the deploy uploads them (without config.json)."""
    site = bundle / SPA
    return {
        path.relative_to(site).as_posix(): path.read_bytes() for path in site.rglob("*") if path.is_file()
    }
