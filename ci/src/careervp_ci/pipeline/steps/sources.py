"""Where the project's files live, named once so every step declares its inputs the same way."""

from __future__ import annotations

PYTHON_ROOTS = ("ci", "src", "infra", "bench", "tests")
"""Top-level folders holding Python the project writes (ruff looks at all of them)."""

PYTHON_SOURCES = tuple(f"{root}/**/*.py" for root in PYTHON_ROOTS)
TYPED_ROOTS = ("ci/src", "src", "infra", "tests")
TYPED_SOURCES = tuple(f"{root}/**/*.py" for root in TYPED_ROOTS)
BACKEND_SOURCES = (
    "src/backend/careervp/**/*.py",
    "src/backend/careervp/**/*.json",
    "src/backend/careervp_local/**/*.py",
)
INFRA_SOURCES = ("infra/**/*.py", "infra/**/*.toml", "infra/**/*.json")
PROJECT_CONFIG = ("pyproject.toml", "ci/pyproject.toml", ".python-version")
LOCKFILES = ("uv.lock", "package.json", "package-lock.json")
TEST_SUPPORT = ("tests/*.py", "tests/**/conftest.py", "tests/fixtures/**")
