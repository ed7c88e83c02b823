"""Pinned versions as the lockfiles state them: what a tool's version means for cache keys and reports."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path


@cache
def locked_versions(src: Path) -> Mapping[str, str]:
    """Package -> pinned version, from uv.lock and package-lock.json (npm names keep their scope)."""
    versions: dict[str, str] = {}
    uv_lock = src / "uv.lock"
    if uv_lock.is_file():
        for package in tomllib.loads(uv_lock.read_text(encoding="utf-8")).get("package", []):
            versions[package["name"]] = str(package.get("version", package.get("source", "")))
    npm_lock = src / "package-lock.json"
    if npm_lock.is_file():
        packages = json.loads(npm_lock.read_text(encoding="utf-8")).get("packages", {})
        for path, package in packages.items():
            if path.startswith("node_modules/") and "/node_modules/" not in path:
                versions.setdefault(path.removeprefix("node_modules/"), str(package.get("version", "")))
    return versions
