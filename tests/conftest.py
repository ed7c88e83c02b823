"""Shared by every suite: no test can reach real AWS by accident, and no setting of the machine running the
tests (a webhook secret, an emulator endpoint) leaks into what a test sees."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}

LEAKY_SETTINGS = (
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_WEBHOOK_SECRET_ARN",
    "CAREERVP_TARGETS",
    "CAREERVP_ARTIFACT_STORE",
    "CAREERVP_ALLOW_UNVERIFIED",
)

LONGEST_FILE = "tests/rehearsal/test_rehearsal_end_to_end.py"
"""Every workflow rehearsed in containers: about half of the suite's time on its own."""


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest file first (after pytest-randomly's shuffle, keeping its order otherwise): `make test`
    hands whole files to its workers in collection order, so one worker starts the rehearsal at once while
    the others share the rest, instead of the rehearsal starting last and running alone."""
    items.sort(key=lambda item: item.nodeid.split("::")[0] != LONGEST_FILE)


@pytest.fixture(autouse=True, scope="session")
def _fake_aws_credentials() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAKE_AWS_ENV.items():
            patch.setenv(name, value)
        for name in LEAKY_SETTINGS:
            patch.delenv(name, raising=False)
        yield
