"""A step that runs tests driving Chromium declares `needs_browser`, so its Dagger container has the browser:
the host always has one (`make containers`), so only a Dagger run would find the gap."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from careervp_ci.host.cache import input_files
from careervp_ci.pipeline.steps.catalogue import CATALOGUE
from careervp_ci.pipeline.steps.model import Step

ROOT = Path(__file__).resolve().parents[3]


def imports_playwright(source: str) -> bool:
    """Whether the module imports Playwright anywhere (tests import it lazily, inside functions)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import) and any(
            alias.name.split(".")[0] == "playwright" for alias in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "playwright":
            return True
    return False


def browser_tests(step: Step) -> list[str]:
    return [
        path
        for path in input_files(ROOT, step.inputs)
        if path.startswith("tests/")
        and path.endswith(".py")
        and imports_playwright((ROOT / path).read_text())
    ]


def test_the_probe_sees_a_lazy_import_and_ignores_a_mention() -> None:
    assert imports_playwright("def f():\n    from playwright.sync_api import sync_playwright\n")
    assert not imports_playwright('"""playwright is mentioned here."""\n')


def test_the_integration_suite_is_among_the_steps_that_run_browser_tests() -> None:
    assert "tests/integration/test_cors_in_chromium.py" in browser_tests(CATALOGUE["integration"])


@pytest.mark.parametrize("name", [name for name, step in CATALOGUE.items() if "pytest" in step.tools])
def test_a_pytest_step_whose_tests_drive_chromium_needs_a_browser(name: str) -> None:
    step = CATALOGUE[name]
    found = browser_tests(step)
    assert step.needs_browser or not found, f"{name} runs {found} but its container gets no Chromium"
