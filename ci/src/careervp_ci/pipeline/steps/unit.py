"""`unit`: the fast suite (moto's `mock_aws`, no network); leaves coverage data for `coverage`.

Its tests cover the backend, the infrastructure (`tests/unit/infra`) and the scripts (`tests/unit/scripts`),
so all three are its inputs: an infra-only change must not reuse a pass of the old infra.
"""

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
    "unit",
    "tests/unit",
    "pytest tests/unit with JUnit XML and coverage data",
    inputs=(
        *BACKEND_SOURCES,
        "src/backend/scripts/**/*.py",
        *INFRA_SOURCES,
        "tests/unit/**",
        *TEST_SUPPORT,
        *PROJECT_CONFIG,
        *LOCKFILES,
    ),
    with_coverage=True,
)
