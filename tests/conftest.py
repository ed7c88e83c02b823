"""Shared by every suite: no test can reach real AWS by accident, and no setting of the machine running the
tests (a webhook secret, an emulator endpoint) leaks into what a test sees."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest.nodeid import coerce_node_id
from support.rehearsed_suites import REHEARSAL_FILE, rehearsed_suites

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
    "CAREERVP_CACHE_DIR",
    "CAREERVP_CACHE_DISCARDED",
    "CAREERVP_SHARED_CACHE",
    "CAREERVP_SHARED_CACHE_WRITE",
    "CAREERVP_SHARED_CACHE_NAMESPACE",
)
"""Besides the machine's AWS and release settings, the result store a Dagger job runs its step against: the
pipeline's own tests start host executors, which must neither read nor publish to it."""

SCANNER_ENV = "CAREERVP_CHECKOV_ENV"
PROJECT_SCANNER = Path(__file__).resolve().parents[1] / "ci" / "tools" / "checkov" / ".venv"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under its own id, each run once, and the longest file first.

    `make test` hands whole files to its workers by node id, in collection order: tests sharing an id would
    all but one silently not run (refused here, loudly), and the rehearsal goes first so one worker starts
    it at once while the others share the rest (pytest-randomly's shuffle is kept otherwise)."""
    _name_each_operation(items)
    shared = sorted(nodeid for nodeid, count in Counter(item.nodeid for item in items).items() if count > 1)
    if shared:
        raise pytest.UsageError(f"tests share a node id, so a parallel run would drop them: {shared[:5]}")
    _leave_rehearsed_suites(config, items)
    items.sort(key=lambda item: item.nodeid.split("::")[0] != REHEARSAL_FILE)


def _leave_rehearsed_suites(config: pytest.Config, items: list[pytest.Item]) -> None:
    """When this session rehearses every workflow, the suites its release world runs whole in containers
    (`support.rehearsed_suites`) do not run a second time on the host: each of their tests passes there or
    fails the rehearsal, which names the gate, the failing tests and the command that reproduces them."""
    if not any(
        item.nodeid.startswith(REHEARSAL_FILE) and "report" in getattr(item, "fixturenames", ())
        for item in items
    ):
        return
    folders = tuple(f"{folder}/" for folder in rehearsed_suites())
    left = [item for item in items if item.nodeid.startswith(folders)]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = [item for item in items if not item.nodeid.startswith(folders)]


def _name_each_operation(items: list[pytest.Item]) -> None:
    """schemathesis gives each API operation's test the function's id and the operation only in its name
    (`test_x[POST /kb/documents]`); the name becomes the id, as for any parametrized test (pytest keeps the
    id in `_id`; the guard above fails loudly should a pytest upgrade move it)."""
    for item in items:
        module, _, function = item.nodeid.rpartition("::")
        if item.name != function and item.name.startswith(f"{function}["):
            item._id = coerce_node_id(f"{module}::{item.name}")


@pytest.fixture(autouse=True, scope="session")
def _fake_aws_credentials() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAKE_AWS_ENV.items():
            patch.setenv(name, value)
        for name in LEAKY_SETTINGS:
            patch.delenv(name, raising=False)
        yield


@pytest.fixture(autouse=True, scope="session")
def _the_projects_scanner() -> Iterator[None]:
    """The trees tests build have no IaC scanner environment of their own: their `synth` scans with the
    project's (in a Dagger job the toolchain has already named its own, which is kept)."""
    with pytest.MonkeyPatch.context() as patch:
        if not os.environ.get(SCANNER_ENV):
            patch.setenv(SCANNER_ENV, str(PROJECT_SCANNER))
        yield
