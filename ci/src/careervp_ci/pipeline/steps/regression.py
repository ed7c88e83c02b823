"""`regression`: tests pinning bugs that were fixed, so they stay fixed."""

from __future__ import annotations

from careervp_ci.pipeline.steps.pytest_suite import suite_step
from careervp_ci.pipeline.steps.sources import (
    BACKEND_SOURCES,
    INFRA_SOURCES,
    LOCKFILES,
    PROJECT_CONFIG,
    TEST_SUPPORT,
)

STEP = suite_step(
    "regression",
    "tests/regression",
    "pytest tests/regression with JUnit XML",
    inputs=(
        *BACKEND_SOURCES,
        *INFRA_SOURCES,
        "tests/regression/**",
        *TEST_SUPPORT,
        *PROJECT_CONFIG,
        *LOCKFILES,
    ),
    with_coverage=False,
)
