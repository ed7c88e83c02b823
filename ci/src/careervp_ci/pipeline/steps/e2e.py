"""`e2e`: end-to-end tests against a running environment; reachable as `careervp-ci test --suite e2e`.

Not part of any profile and never cached: it exercises a deployed target, which the release path provides.
"""

from __future__ import annotations

from careervp_ci.pipeline.steps.pytest_suite import suite_step
from careervp_ci.pipeline.steps.sources import BACKEND_SOURCES, LOCKFILES, PROJECT_CONFIG, TEST_SUPPORT

STEP = suite_step(
    "e2e",
    "tests/e2e",
    "pytest tests/e2e with JUnit XML",
    inputs=(*BACKEND_SOURCES, "tests/e2e/**", *TEST_SUPPORT, *PROJECT_CONFIG, *LOCKFILES),
    with_coverage=False,
    cacheable=False,
)
