"""What `hotfix` validates a ref with: any profile the one resolver knows (a phase's `phase-ID` too), and a
clear refusal naming the valid ones before anything runs."""

from __future__ import annotations

import pytest
from careervp_ci.release.errors import ReleaseRefused
from careervp_ci.release.hotfix import Validation


@pytest.mark.parametrize("profile", ["pr", "main", "phase-12"])
def test_hotfix_accepts_every_profile_the_resolver_knows(profile: str) -> None:
    Validation(profile=profile).check()


def test_hotfix_refuses_an_unknown_profile_naming_the_profiles_and_phases() -> None:
    with pytest.raises(
        ReleaseRefused, match=r"hotfix --profile: unknown profile 'weekly'; valid profiles: pr, .*phase-12"
    ):
        Validation(profile="weekly").check()
