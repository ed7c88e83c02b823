"""`careervp-ci rollback` against a moto server on 127.0.0.1, with the session's real build of HEAD (A) and
the same artifact re-packed as another commit (B: another digest, the same templates).

Deploy A to dev, then B, then `rollback --env dev`: the stack runs A again (its tags say so, and the
rollback's own verify and smoke passed), and the ledger records a rollback and who ran it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from careervp_ci.release.cloudformation import AwsSession, describe, stack_tags
from careervp_ci.release.emulator import EMULATOR_ACCOUNT, EMULATOR_CREDENTIALS
from careervp_ci.release.ledger import Ledger
from careervp_ci.release.store import FolderBackend
from support.release_artifacts import recommitted
from support.release_cli import REPO, Built, cli, write_emulator_targets

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory, emulator: str) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("rollback")
    targets = write_emulator_targets(home / "targets.toml", emulator, ("dev",))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        patch.setenv("CAREERVP_TARGETS", str(targets))
        patch.setenv("CAREERVP_STATE_DIR", str(home / "state"))
        patch.setenv("STRIPE_WEBHOOK_SECRET", "test-webhook-secret-rollback_" + "0" * 24)
        patch.setenv("GITHUB_ACTOR", "oncall-engineer")
        yield home / "state"


def running(emulator: str) -> str:
    session = AwsSession("us-east-1", emulator, dict(EMULATOR_CREDENTIALS), EMULATOR_ACCOUNT)
    stack = describe(session, "careervp-dev-service-stack")
    assert stack is not None
    return stack_tags(stack)["digest"]


def test_rollback_after_a_deploy_runs_the_previous_digest_again_and_is_recorded(
    built: Built, emulator: str, state: Path, tmp_path: Path
) -> None:
    store = state / "artifacts"
    store.mkdir(parents=True, exist_ok=True)
    built.place(store)
    a = built.digest
    b = recommitted(built.tar, "b" * 40, store, tmp_path)
    for digest in (a, b):
        deployed = cli("deploy", "--env", "dev", "--artifact", digest)
        assert deployed.code == 0, deployed.err
    assert running(emulator) == b

    started = time.monotonic()
    rolled = cli("rollback", "--env", "dev")
    seconds = time.monotonic() - started

    assert rolled.code == 0, rolled.err
    assert f"rollback from {b} to {a}" in rolled.err and "verify: verified" in rolled.err
    assert f"dev: {a} deployed, verified and smoke-tested" in rolled.out
    assert running(emulator) == a
    last = Ledger(FolderBackend(store)).entries("dev")[-1]
    assert (last.digest, last.outcome, last.road, last.by) == (a, "succeeded", "rollback", "oncall-engineer")
    shown = cli("ledger", "--env", "dev")
    assert "rollback by oncall-engineer" in shown.out.splitlines()[-1]
    print(f"\nrollback of dev on the emulator (deploy, verify, smoke): {seconds:.1f}s")


def test_rollback_to_a_digest_that_never_passed_there_is_refused(built: Built, state: Path) -> None:
    never = "sha256:" + "0" * 64
    refused = cli("rollback", "--env", "dev", "--to", never)
    assert refused.code == 1
    assert f"rollback --env dev --to {never}: that digest never passed verify and smoke in dev" in refused.err
