"""`integration`: the real handlers over HTTP against a moto server; leaves coverage data for `coverage`.

Its CORS test drives Chromium, so a Dagger job installs the browser for it.
Profiles narrow it: `pr` runs `-m "not slow"`, `gap-remediation` runs `-k "gap or company_research"`.
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
    "integration",
    "tests/integration",
    "pytest tests/integration with JUnit XML and coverage data",
    inputs=(
        *BACKEND_SOURCES,
        *INFRA_SOURCES,
        "tests/integration/**",
        *TEST_SUPPORT,
        *PROJECT_CONFIG,
        *LOCKFILES,
    ),
    with_coverage=True,
    needs_browser=True,
)
