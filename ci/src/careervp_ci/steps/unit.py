"""`unit`: the fast suite (moto's `mock_aws`, no network); leaves coverage data for `coverage`."""

from __future__ import annotations

from careervp_ci.steps.pytest_suite import suite_step
from careervp_ci.steps.sources import BACKEND_SOURCES, LOCKFILES, PROJECT_CONFIG, TEST_SUPPORT

STEP = suite_step(
    "unit",
    "tests/unit",
    "pytest tests/unit with JUnit XML and coverage data",
    inputs=(*BACKEND_SOURCES, "tests/unit/**", *TEST_SUPPORT, *PROJECT_CONFIG, *LOCKFILES),
    with_coverage=True,
)
