"""The Lambda package ships alone: nothing that only serves local development may be imported from it."""

from __future__ import annotations

import ast
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[3] / "src" / "backend"
DEV_ONLY = "careervp_local"


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_the_lambda_package_never_imports_the_development_package() -> None:
    offenders = {
        str(path.relative_to(BACKEND))
        for path in (BACKEND / "careervp").rglob("*.py")
        if any(name.split(".")[0] == DEV_ONLY for name in imported_modules(path))
    }

    assert not offenders, f"{sorted(offenders)} import {DEV_ONLY}, which is not in the function zip"


def test_the_local_server_and_emulator_helpers_live_outside_the_lambda_package() -> None:
    assert (BACKEND / DEV_ONLY / "http_server.py").is_file()
    assert not (BACKEND / "careervp" / "local_api.py").exists()
    assert not (BACKEND / "careervp" / "emulator.py").exists()
