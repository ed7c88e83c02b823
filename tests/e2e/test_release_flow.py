"""The release path end to end against a real AWS emulator (moto server on 127.0.0.1).

Only an emulator is reachable here, so this test replaces the release targets (CAREERVP_TARGETS) with a file
that points dev, staging and prod at ONE emulator the test runs: three stacks (careervp-<env>-service-stack)
side by side, with staging promoted from dev and prod behind approval, exactly as in the real targets file.
The ledger records these deploys as target "emulator", never "aws". Commands run through the release CLI
(`register`/`dispatch`, in-process, so the emulator is shared); one call goes through the real `careervp-ci`
entry point.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from careervp_ci.release.artifact import parse_digest
from careervp_ci.release.feature_checks import CHECKS as FEATURE_CHECKS
from careervp_ci.release.smoke import CHECKS
from careervp_ci.release.store import object_name
from support.release_cli import Built, cli, write_emulator_targets

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SECRET = "test-webhook-secret-e2e_" + "0" * 24


@pytest.fixture(scope="module")
def release_home(tmp_path_factory: pytest.TempPathFactory, emulator: str) -> Iterator[Path]:
    """State dir, targets file (every env on the test's emulator) and the webhook secret, for the module."""
    home = tmp_path_factory.mktemp("release")
    targets = home / "targets.toml"
    write_emulator_targets(targets, emulator, ("dev", "staging", "prod"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        patch.setenv("CAREERVP_TARGETS", str(targets))
        patch.setenv("CAREERVP_STATE_DIR", str(home / "state"))
        patch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
        patch.setenv("CAREERVP_APPROVER", "e2e-reviewer")
        yield home


@pytest.fixture(scope="module")
def builds(release_home: Path, built: Built) -> tuple[str, str, float]:
    """The session's build of HEAD, placed in this module's store as `careervp-ci build` would:
    (digest, digest, 0). Rebuilding to the same digest is `test_release_shared_state`'s two-path test."""
    store = release_home / "state" / "artifacts"
    store.mkdir(parents=True, exist_ok=True)
    built.place(store)
    return built.digest, built.digest, 0.0


def cloudformation(emulator: str) -> Any:
    return boto3.client("cloudformation", endpoint_url=emulator, region_name="us-east-1")


def stacks(emulator: str) -> list[str]:
    client = cloudformation(emulator)
    return sorted(
        s["StackName"] for s in client.describe_stacks()["Stacks"] if s["StackStatus"] != "DELETE_COMPLETE"
    )


def ledger_lines(release_home: Path) -> list[str]:
    folder = release_home / "state" / "artifacts" / "ledger"
    return sorted(path.read_text() for path in folder.glob("*/*.json"))


def test_one_digest_moves_from_dev_through_staging_to_prod(
    builds: tuple[str, str, float], emulator: str, release_home: Path
) -> None:
    digest, rebuilt, build_seconds = builds
    assert digest.startswith("sha256:") and rebuilt == digest, "rebuilding the same commit changed the digest"

    started = time.monotonic()
    dev = cli("deploy", "--env", "dev", "--artifact", digest)
    deploy_seconds = time.monotonic() - started
    assert dev.code == 0, dev.err
    assert "verify: verified" in dev.err
    assert (
        dev.out.count("ok   ") == len(CHECKS) + 6 and "FAIL" not in dev.out
    )  # the HTTP checks, the canary's probe, a notification, the SPA's config.json and its page (3 checks)

    staging = cli("promote", "--from", "dev", "--to", "staging")
    assert staging.code == 0, staging.err
    assert f"staging: {digest} deployed" in staging.out

    before = (stacks(emulator), ledger_lines(release_home))
    refused = cli("promote", "--from", "staging", "--to", "prod")
    assert refused.code == 1
    assert f"prod requires an approval for {digest}" in refused.err
    assert (stacks(emulator), ledger_lines(release_home)) == before

    review = release_home / "change-set.json"
    made = cli("change-set", "--env", "prod", "--artifact", digest, "--out", str(review))
    assert made.code == 0, made.err
    reviewed = json.loads(review.read_text())
    arn = reviewed["change_set_arn"]
    assert arn.startswith("arn:aws:cloudformation:us-east-1:") and f"| change set | `{arn}` |" in made.out
    verdicts = {(r["action"], r["replacement"]) for r in reviewed["resources"]}
    assert len(reviewed["resources"]) == len(reviewed["added"]) > 100 and verdicts == {("Add", "-")}
    approved = cli("approve", "--env", "prod", "--artifact", digest, "--summary", str(review))
    assert approved.code == 0, approved.err
    assert "baseline: nothing deployed" in approved.out and "removed (0)" in approved.out
    prod = cli("promote", "--from", "staging", "--to", "prod")
    assert prod.code == 0, prod.err
    assert f"executing change set {arn}" in prod.err
    executed = cloudformation(emulator).describe_change_set(ChangeSetName=arn)
    assert executed["ExecutionStatus"] == "EXECUTE_COMPLETE"
    assert "approved by e2e-reviewer" in prod.err
    assert "prod's smoke is read-only" in prod.err  # its targets entry: smoke = "read-only"
    assert "ok   authentication: the signed-in smoke user reaches a personal route" in prod.out
    assert "ok   frontend: the SPA in Chromium signs the smoke user in and lists their documents" in prod.out
    writes = [c.name for c in CHECKS if not c.read_only] + [c.name for c in FEATURE_CHECKS if not c.read_only]
    assert [name for name in writes if f": {name} " in prod.out] == [], prod.out

    environment = {**os.environ, "CAREERVP_STATE_DIR": str(release_home / "state")}
    shown = subprocess.run(
        [str(Path(sys.executable).parent / "careervp-ci"), "ledger"],
        env=environment,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    good = [line for line in shown.stdout.splitlines() if line.split()[5] == "succeeded"]
    assert {line.split()[1] for line in good} == {"dev", "staging", "prod"}
    assert {line.split()[3] for line in good} == {digest}
    assert all(line.split()[2] == "emulator" for line in good)
    assert {
        "careervp-dev-service-stack",
        "careervp-staging-service-stack",
        "careervp-prod-service-stack",
    } <= set(stacks(emulator))
    for env in ("dev", "staging", "prod"):  # create_stack, and prod's reviewed change set, named the role
        name = f"careervp-{env}-service-stack"
        (stack,) = cloudformation(emulator).describe_stacks(StackName=name)["Stacks"]
        assert stack["RoleARN"] == f"arn:aws:iam::123456789012:role/careervp-{env}-cloudformation-exec"
    print(f"\nbuild {build_seconds:.1f}s per build; deploy+verify+smoke to dev {deploy_seconds:.1f}s")


@pytest.fixture
def untouched(emulator: str, release_home: Path) -> Iterator[None]:
    """The refusal under test must leave the emulator's stacks and the ledger exactly as they were."""
    before = (stacks(emulator), ledger_lines(release_home))
    yield
    assert (stacks(emulator), ledger_lines(release_home)) == before


def test_deploy_refuses_a_malformed_digest(untouched: None, release_home: Path) -> None:
    result = cli("deploy", "--env", "dev", "--artifact", "sha256:not-a-digest")
    assert result.code == 2 and "malformed artifact digest 'sha256:not-a-digest'" in result.err


def test_deploy_refuses_an_unknown_environment(untouched: None, builds: tuple[str, str, float]) -> None:
    result = cli("deploy", "--env", "qa", "--artifact", builds[0])
    assert (
        result.code == 2 and "unknown environment 'qa'" in result.err and "dev, staging, prod" in result.err
    )


def test_deploy_refuses_artifact_whose_digest_does_not_match(
    untouched: None, builds: tuple[str, str, float], release_home: Path, tmp_path: Path
) -> None:
    digest = builds[0]
    name = object_name(parse_digest(digest))
    tampered = bytearray((release_home / "state" / "artifacts" / name).read_bytes())
    tampered[len(tampered) // 2] ^= 0x01
    (tmp_path / name).write_bytes(bytes(tampered))
    result = cli("deploy", "--env", "dev", "--artifact", digest, "--store", str(tmp_path))
    assert result.code == 1 and f"artifact {digest} in {tmp_path / name}" in result.err
    assert "tampered" in result.err


def test_deploy_refuses_when_the_webhook_secret_is_missing(
    untouched: None, builds: tuple[str, str, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET")
    result = cli("deploy", "--env", "dev", "--artifact", builds[0])
    assert result.code == 2 and "missing secret STRIPE_WEBHOOK_SECRET" in result.err
    assert SECRET not in result.err + result.out


def test_deploy_to_local_needs_no_secret_by_hand(
    built: Built, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`local` is an emulator this command starts and stops: it makes a throwaway webhook secret itself.
    Its own state folder keeps this deploy out of the ledger the other tests of this module read."""
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET")
    monkeypatch.delenv("CAREERVP_TARGETS")  # the project's own targets, where `local` is declared
    monkeypatch.setenv("CAREERVP_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("CAREERVP_ARTIFACT_STORE", raising=False)
    store = tmp_path / "state" / "artifacts"
    store.mkdir(parents=True)
    built.place(store)
    result = cli("deploy", "--env", "local", "--artifact", built.digest)
    assert result.code == 0, result.err
    assert "missing secret" not in result.err


def test_hotfix_refuses_an_unknown_ref(untouched: None) -> None:
    result = cli("hotfix", "--ref", "no-such-ref-anywhere", "--env", "dev")
    assert result.code == 2 and "unknown git ref 'no-such-ref-anywhere'" in result.err


def test_destroy_refuses_prod_and_a_wrong_confirmation(untouched: None) -> None:
    prod = cli("destroy", "--env", "prod", "--confirm", "prod")
    assert prod.code == 2 and "refuses prod outright" in prod.err
    wrong = cli("destroy", "--env", "staging", "--confirm", "dev")
    assert wrong.code == 2 and "needs --confirm staging" in wrong.err


def test_concurrent_deploy_is_refused_naming_the_holder(
    untouched: None, builds: tuple[str, str, float], release_home: Path
) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path\n"
            "from careervp_ci.release.locking import environment_lock\n"
            "from careervp_ci.release.store import FolderBackend\n"
            "store = FolderBackend(Path(sys.argv[1]))\n"
            "with environment_lock(store, 'dev', run='holder', operation='deploy', digest=sys.argv[2]):\n"
            "    print('held', flush=True); time.sleep(60)",
            str(release_home / "state" / "artifacts"),
            builds[0],
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = cli("deploy", "--env", "dev", "--artifact", builds[0])
    finally:
        holder.kill()
        holder.wait()
    assert result.code == 1
    assert f"environment 'dev' is busy: run holder (deploy of {builds[0]} by pid {holder.pid}" in result.err
    assert "Refused without waiting" in result.err
