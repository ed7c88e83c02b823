"""The mypy configuration the `typecheck` step runs with: the project's `[tool.mypy]`, unchanged, plus one
narrowing of third-party analysis.

The AWS CDK's generated modules import each other, so following what our code imports makes mypy parse and
analyse all of the CDK (~340 modules, 180 MB of source; ~5x the time of everything else). Our code names
about a dozen of them. Those, and every other module, are analysed as before; the CDK modules our code never
imports are skipped, so a type of theirs that appears inside a CDK signature is `Any` there. Our own code
keeps every `--strict` check: a module it imports, it imports with full types (the list is read from the
sources on every run, so a new import is analysed from its first use).
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

NARROWED = "aws_cdk"
"""The package whose modules our code does not import are skipped."""


def imported_modules(files: Iterable[Path], package: str = NARROWED) -> set[str]:
    """Every `package.x` module our sources import (`import package.x`, `from package import x`)."""
    found = {package}
    for path in files:
        try:
            tree = ast.parse(path.read_bytes())
        except SyntaxError:
            continue  # mypy reports it
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith(f"{package}."))
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == package:
                    found.update(f"{package}.{a.name}" for a in node.names)
                elif node.module.startswith(f"{package}."):
                    found.add(node.module)
    return found


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        return "|".join(value) if key == "exclude" else ",".join(str(v) for v in value)
    return str(value)


def write_config(pyproject: Path, sources: Iterable[Path], target: Path) -> Path:
    """An INI mypy config: `[tool.mypy]` of `pyproject` as it is, then the narrowing sections."""
    table: dict[str, Any] = (
        tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("mypy", {})
    )
    lines = ["[mypy]"]
    lines += [f"{key} = {_value(key, value)}" for key, value in table.items() if key != "overrides"]
    for override in table.get("overrides", []):
        modules = override["module"] if isinstance(override["module"], list) else [override["module"]]
        lines.append(f"[mypy-{','.join(modules)}]")
        lines += [f"{key} = {_value(key, value)}" for key, value in override.items() if key != "module"]
    lines += [f"[mypy-{NARROWED}.*]", "follow_imports = skip"]
    lines += [f"[mypy-{','.join(sorted(imported_modules(sources)))}]", "follow_imports = normal"]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target
