"""A deploy that CloudFormation fails, for real, against a moto server on 127.0.0.1.

The artifacts are small but real: a one-stack cloud assembly packed by the artifact code (canonical tar,
manifest) into the release's artifact store, so `careervp-ci deploy` fetches, re-checks and deploys them
exactly as it does a full build. Their templates make the emulator fail on a resource (a FIFO queue whose
name does not end in `.fifo`) after it has already applied the resources before it, so the test sees the
half-made stack the deployer must undo. The good state an update fails from is deployed by the same deployer
and recorded in the ledger as a passed deploy (a full build's verify and smoke are the release flow's test).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from careervp_ci.release.cloudformation import AwsSession, StackFiles, deploy_stack
from careervp_ci.release.emulator import EMULATOR_ACCOUNT, EMULATOR_CREDENTIALS
from careervp_ci.release.ledger import Entry, Ledger, now
from careervp_ci.release.store import FolderBackend
from support.release_artifacts import one_stack_artifact
from support.release_cli import cli, write_emulator_targets

REGION = "us-east-1"
pytestmark = pytest.mark.filterwarnings("ignore:Unable to delete .*, as it was never created:UserWarning")


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory, emulator: str) -> Iterator[Path]:
    """The release state dir; dev and staging both deploy to the module's emulator."""
    home = tmp_path_factory.mktemp("release-failure")
    targets = home / "targets.toml"
    write_emulator_targets(targets, emulator, ("dev", "staging"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAREERVP_TARGETS", str(targets))
        patch.setenv("CAREERVP_STATE_DIR", str(home / "state"))
        patch.setenv("STRIPE_WEBHOOK_SECRET", "test-webhook-secret-failure_" + "0" * 24)
        yield home / "state"


def parameter(name: str, value: str) -> dict[str, Any]:
    return {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Name": name, "Value": value}}


UNCREATABLE_QUEUE = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "orders", "FifoQueue": True}}
"""A FIFO queue must be named `*.fifo`: the emulator refuses it after creating what comes before it."""


def artifact(state: Path, stack_name: str, resources: dict[str, Any], tmp_path: Path) -> str:
    """A one-stack bundle packed and stored the way `careervp-ci build` does; returns its digest."""
    return one_stack_artifact(state / "artifacts", stack_name, resources, tmp_path)


def session(emulator: str) -> AwsSession:
    return AwsSession(REGION, emulator, dict(EMULATOR_CREDENTIALS), EMULATOR_ACCOUNT)


def parameters(emulator: str, path: str) -> dict[str, str]:
    found = session(emulator).client("ssm").get_parameters_by_path(Path=path)["Parameters"]
    return {item["Name"]: item["Value"] for item in found}


def stack_names(emulator: str) -> set[str]:
    found = session(emulator).client("cloudformation").describe_stacks()["Stacks"]
    return {stack["StackName"] for stack in found if stack["StackStatus"] != "DELETE_COMPLETE"}


def ledger(state: Path) -> Ledger:
    return Ledger(FolderBackend(state / "artifacts"))


def evidence_of(state: Path, env: str, digest: str) -> Path:
    """The failure evidence the ledger's record of the failed deploy points to (in the store folder)."""
    (entry,) = [e for e in ledger(state).entries(env) if e.digest == digest and e.outcome == "deploy-failed"]
    local = state / "reports" / env / entry.run
    assert (local / "error.txt").is_file(), "the local copy (what the Dagger function returns) is missing"
    return Path(entry.evidence)


def test_failed_update_is_undone_reported_recorded_and_names_the_digest_to_redeploy(
    emulator: str, state: Path, tmp_path: Path
) -> None:
    stack = "careervp-dev-service-stack"
    good = artifact(state, stack, {"Kept": parameter("/update/kept", "v1")}, tmp_path)
    deploy_stack(
        StackFiles.find(tmp_path / "bundle-0" / "assembly", stack), session(emulator), print, role_arn=None
    )
    ledger(state).record(
        Entry(
            "dev", good, "e" * 40, now(), "succeeded", "emulator", "seeded: the state the update fails from"
        )
    )
    bad = artifact(
        state,
        stack,
        {
            "Kept": parameter("/update/kept", "v2"),
            "Added": parameter("/update/added", "x"),
            "Queue": UNCREATABLE_QUEUE,
        },
        tmp_path,
    )

    result = cli("deploy", "--env", "dev", "--artifact", bad)

    assert result.code == 1
    assert "Queue name must end in .fifo" in result.err
    assert "half-applied update was undone" in result.err
    assert f"to go back to it: careervp-ci deploy --env dev --artifact {good}" in result.err
    assert parameters(emulator, "/update") == {"/update/kept": "v1"}, "the previous state was not restored"
    assert stack in stack_names(emulator)
    restored = session(emulator).client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    # seeded with no role; moto records one only on an update that completes: the restore passed it
    assert restored["RoleARN"] == f"arn:aws:iam::{EMULATOR_ACCOUNT}:role/careervp-dev-cloudformation-exec"
    report = evidence_of(state, "dev", bad)
    assert report.is_relative_to(state / "artifacts" / "runs" / "dev") and str(report) in result.err
    events = json.loads((report / "stack-events.json").read_text())
    assert any(event["ResourceStatus"] == "UPDATE_IN_PROGRESS" for event in events)
    assert "Queue" in (report / "assembly" / "Service.template.json").read_text()
    assert "Queue name must end in .fifo" in (report / "error.txt").read_text()
    assert f"deploying {bad}" in (report / "log.txt").read_text()
    last = ledger(state).entries("dev")[-1]
    assert (last.digest, last.outcome) == (bad, "deploy-failed")
    current = ledger(state).current("dev")
    assert current is not None and current.digest == good, "the failed deploy replaced the last good one"


def test_failed_create_leaves_no_stack_and_says_there_is_nothing_earlier(
    emulator: str, state: Path, tmp_path: Path
) -> None:
    stack = "careervp-staging-service-stack"
    bad = artifact(
        state, stack, {"Made": parameter("/create/made", "x"), "Queue": UNCREATABLE_QUEUE}, tmp_path
    )
    # staging takes only what passed dev (promote_from): recorded here as the state it fails from.
    ledger(state).record(Entry("dev", bad, "f" * 40, now(), "succeeded", "emulator", "seeded: passed dev"))

    result = cli("deploy", "--env", "staging", "--artifact", bad)

    assert result.code == 1
    assert f"create of {stack} failed" in result.err and "Queue name must end in .fifo" in result.err
    assert f"the failed new stack {stack} was deleted" in result.err
    assert "staging has no earlier good deploy in the ledger" in result.err
    assert stack not in stack_names(emulator)
    assert parameters(emulator, "/create") == {}, "the half-made stack's resources were left behind"
    report = evidence_of(state, "staging", bad)
    events = json.loads((report / "stack-events.json").read_text())
    assert any(event["ResourceStatus"] == "CREATE_IN_PROGRESS" for event in events)
    assert (report / "assembly" / "manifest.json").is_file()
    started, ended = ledger(state).entries("staging")
    assert (started.outcome, ended.digest, ended.outcome) == ("started", bad, "deploy-failed")

    fetched = cli("evidence", "--env", "staging", "--out", str(tmp_path / "evidence"))
    assert fetched.code == 0, fetched.err
    assert f"of run {ended.run} (deploy-failed" in fetched.out
    assert (tmp_path / "evidence" / "stack-events.json").read_bytes() == (
        report / "stack-events.json"
    ).read_bytes()
    assert "Queue name must end in .fifo" in (tmp_path / "evidence" / "error.txt").read_text()
    refused = cli("evidence", "--env", "staging", "--run", "no-such-run", "--out", str(tmp_path / "none"))
    assert refused.code == 2 and "run no-such-run is not in the ledger of staging" in refused.err
