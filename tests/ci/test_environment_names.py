"""Each environment is declared once: no code outside the registry names one.

The registry (`infra/environments.toml`) names the environments, their GitHub environments and their role
secrets; `.github/settings/environments/` (held to it by `github-settings --check`) and the workflows (which
GitHub makes name their environments) are the only other places that may. Everything else asks the registry
(`protected`, `requires_approval`, `emulator_environment()`, `role_secrets`, ...), so adding an environment
touches the registry and its settings file only.

What counts as naming one: in Python, a string literal that is a registered name, or that holds one quoted
(TOML or JSON written by the code); in any other file, a quoted name. Docstrings, comments and prose (help
texts, messages that mention prod as an example) are documentation and are not held to this. A few literals
are the same word with another meaning; each is listed below with that meaning, and a listing that no longer
matches anything fails too, so the list cannot outlive its reason.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from careervp_infra.environments import ENVIRONMENTS_FILE, load_environments

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("ci/src", "infra", "src", "frontend/src")
SKIPPED = {"__pycache__", "cdk.out", "node_modules"}
TEXT_SUFFIXES = {".py", ".json", ".toml", ".yml", ".yaml", ".js", ".cjs", ".mjs", ".ts", ".html"}

PROFILE = "a pipeline profile (pipeline/profiles.py), named after the branch feature/gap-remediation it gates"
SAME_WORD_OTHER_MEANING: dict[tuple[str, str], str] = {
    ("ci/src/careervp_ci/pipeline/profiles.py", "gap-remediation"): PROFILE,
    ("ci/src/careervp_ci/pipeline/phases.toml", "gap-remediation"): PROFILE,
    ("src/backend/careervp/config.py", "local"): "the service's name for itself when no deploy set one",
    ("src/backend/careervp_local/http_server.py", "local"): "the local server's API Gateway stage and API id",
    (
        "ci/src/careervp_ci/host/serve.py",
        "local",
    ): "`serve`'s own resource names (careervp-local-*), no deploy",
}
"""(file, literal) -> what the word means there, when it is not the registry's environment."""

GITHUB_EVENTS = (
    "the rehearsal's GitHub events, which name the workflows' environment inputs and jobs as the workflows do"
)
FILES_OF_THE_WORKFLOWS = {"ci/src/careervp_ci/rehearsal/scenarios.py": GITHUB_EVENTS}
"""Files that describe workflow runs: like `.github/workflows/`, they name environments by design."""


def registered() -> set[str]:
    registry = load_environments()
    return {*registry.names, *registry.github_environments, *registry.role_secrets}


def scanned_files() -> Iterator[Path]:
    for root in SCANNED:
        for path in sorted((ROOT / root).rglob("*")):
            relative = path.relative_to(ROOT)
            if SKIPPED & set(relative.parts) or path == ENVIRONMENTS_FILE:
                continue
            if path.is_file() and path.suffix in TEXT_SUFFIXES:
                yield path


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of every bare string statement (module, class, function and attribute docstrings)."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }


def quoted(name: str) -> re.Pattern[str]:
    return re.compile(rf"([\"']){re.escape(name)}\1")


def literals(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of each string the file's code holds (for a non-Python file: each line)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        yield from enumerate(text.splitlines(), start=1)
        return
    tree = ast.parse(text)
    skip = docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def names_in(path: Path, names: set[str]) -> Iterator[tuple[int, str]]:
    python = path.suffix == ".py"
    for line, text in literals(path):
        for name in names:
            if (python and text.strip() == name) or quoted(name).search(text):
                yield line, name


def findings() -> tuple[list[str], set[tuple[str, str]]]:
    names = registered()
    problems, excused = [], set()
    for path in scanned_files():
        relative = str(path.relative_to(ROOT))
        if relative in FILES_OF_THE_WORKFLOWS:
            continue
        for line, name in names_in(path, names):
            if (relative, name) in SAME_WORD_OTHER_MEANING:
                excused.add((relative, name))
            else:
                problems.append(
                    f"{relative}:{line}: names the environment {name!r}; ask the registry instead"
                )
    return problems, excused


def test_no_file_outside_the_registry_and_the_settings_names_an_environment() -> None:
    problems, _ = findings()
    assert problems == []


def test_every_word_excused_for_another_meaning_still_occurs_where_it_is_listed() -> None:
    _, excused = findings()
    assert set(SAME_WORD_OTHER_MEANING) == excused
    for path in FILES_OF_THE_WORKFLOWS:
        assert any(names_in(ROOT / path, registered())), f"{path} names no environment: drop it from the list"


def test_the_scan_finds_a_planted_name_and_leaves_docstrings_comments_and_prose_alone(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        '"""Deploys to prod."""\n'
        "# prod is protected\n"
        'HELP = "the environment (e.g. prod)"\n'
        'PROTECTED = {"prod"}\n'
        "TARGETS = f'[targets.x]\\nstack = \"dev\"\\n'\n"
        "ROLE = 'AWS_ROLE_PROD'\n"
    )
    assert sorted(names_in(planted, registered())) == [(4, "prod"), (5, "dev"), (6, "AWS_ROLE_PROD")]
    other = tmp_path / "settings.json"
    other.write_text('{"environment": "prod-plan",\n "note": "production"}\n')
    assert list(names_in(other, registered())) == [(1, "prod-plan")]
