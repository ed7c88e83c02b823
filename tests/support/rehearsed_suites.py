"""The test folders `make test` leaves to the rehearsal: the suites its release world runs whole."""

from __future__ import annotations

from careervp_ci.pipeline.profiles import PROFILES, whole_suites

REHEARSAL_FILE = "tests/rehearsal/test_rehearsal_end_to_end.py"
"""Every workflow rehearsed in containers: about half of the suite's time on its own."""
REHEARSED_PROFILE = "main"
"""The profile the rehearsal's release world validates its tree with (deploy-dev's `dagger call ci --profile
main`): a passing rehearsal has run each of its whole suites in the containers CI uses."""


def rehearsed_suites() -> tuple[str, ...]:
    return whole_suites(PROFILES[REHEARSED_PROFILE])
