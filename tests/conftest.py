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
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_API_KEY_ARN",
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_AUTH_TOKEN",
    "CAREERVP_TARGETS",
    "CAREERVP_ARTIFACT_STORE",
    "CAREERVP_ALLOW_UNVERIFIED",
)


@pytest.fixture(autouse=True, scope="session")
def _fake_aws_credentials() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAKE_AWS_ENV.items():
            patch.setenv(name, value)
        for name in LEAKY_SETTINGS:
            patch.delenv(name, raising=False)
        yield
