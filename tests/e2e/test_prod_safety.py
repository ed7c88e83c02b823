"""Prod's gate against a moto server on 127.0.0.1: the change set reviewed is the change set executed.

Small real artifacts (one-stack bundles packed and stored as `careervp-ci build` does) go to prod's stack on
the module's emulator; what prod runs before each test is deployed by the release's own deployer and
recorded in the ledger as passed (a full build's verify and smoke are the release flow's test, which also
executes a reviewed change set of the real template). Each refusal leaves the stack and the ledger as they
were.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from careervp_ci.release.cloudformation import AwsSession, StackFiles, deploy_stack, template_of
from careervp_ci.release.emulator import EMULATOR_ACCOUNT, EMULATOR_CREDENTIALS
from careervp_ci.release.ledger import Entry, Ledger, now
from careervp_ci.release.store import FolderBackend
from support.release_artifacts import one_stack_artifact
from support.release_cli import cli, write_emulator_targets

STACK = "careervp-prod-service-stack"
pytestmark = pytest.mark.filterwarnings("ignore:Unable to delete .*, as it was never created:UserWarning")


def parameter(value: str) -> dict[str, Any]:
    return {
        "Type": "AWS::SSM::Parameter",
        "Properties": {"Type": "String", "Name": "/prod/p", "Value": value},
    }


def policy(action: str, resource: str) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    return {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {"PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}},
    }


def table(name: str) -> dict[str, Any]:
    return {
        "Type": "AWS::DynamoDB::Table",
        "Properties": {
            "TableName": name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        },
    }


LIVE = {
    "Param": parameter("v1"),
    "Policy": policy("s3:GetObject", "arn:aws:s3:::careervp/*"),
    "Table": table("t1"),
}


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory, emulator: str) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("prod-safety")
    targets = write_emulator_targets(home / "targets.toml", emulator, ("staging", "prod"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAREERVP_TARGETS", str(targets))
        patch.setenv("CAREERVP_STATE_DIR", str(home / "state"))
        patch.setenv("STRIPE_WEBHOOK_SECRET", "test-webhook-secret-prod-safety_" + "0" * 24)
        patch.setenv("CAREERVP_APPROVER", "e2e-reviewer")
        yield home / "state"


def session(emulator: str) -> AwsSession:
    return AwsSession("us-east-1", emulator, dict(EMULATOR_CREDENTIALS), EMULATOR_ACCOUNT)


def ledger(state: Path) -> Ledger:
    return Ledger(FolderBackend(state / "artifacts"))


@pytest.fixture
def live(emulator: str, state: Path, tmp_path: Path) -> str:
    """Prod runs LIVE (deployed now, recorded as passed); returns its digest."""
    digest = one_stack_artifact(state / "artifacts", STACK, LIVE, tmp_path)
    files = StackFiles.find(tmp_path / "bundle-0" / "assembly", STACK)
    deploy_stack(files, session(emulator), print, {"digest": digest}, role_arn=None)  # seeded by hand
    ledger(state).record(Entry("prod", digest, "f" * 40, now(), "succeeded", "emulator", "seeded"))
    return digest


def candidate(state: Path, tmp_path: Path, **changed: dict[str, Any]) -> str:
    """LIVE with `changed` resources, recorded as passed in staging (prod's promote_from)."""
    digest = one_stack_artifact(state / "artifacts", STACK, {**LIVE, **changed}, tmp_path)
    ledger(state).record(Entry("staging", digest, "f" * 40, now(), "succeeded", "emulator", "seeded"))
    return digest


def review(digest: str, out: Path) -> dict[str, Any]:
    made = cli("change-set", "--env", "prod", "--artifact", digest, "--out", str(out))
    assert made.code == 0, made.err
    found: dict[str, Any] = json.loads(out.read_text())
    return found


def unchanged(emulator: str, state: Path) -> tuple[object, ...]:
    return template_of(session(emulator), STACK), [e.outcome for e in ledger(state).entries("prod")]


def test_the_review_names_the_change_set_its_verdicts_and_a_planted_iam_widening(
    live: str, state: Path, tmp_path: Path
) -> None:
    digest = candidate(state, tmp_path, Param=parameter("v2"), Policy=policy("*", "*"))
    reviewed = review(digest, tmp_path / "change-set.json")
    assert reviewed["change_set_arn"].startswith("arn:aws:cloudformation:us-east-1:123456789012:changeSet/")
    verdicts = {
        r["id"]: (r["action"], r["replacement"], r["replacement_source"]) for r in reviewed["resources"]
    }
    assert verdicts == {"Param": ("Modify", "False", "schema"), "Policy": ("Modify", "False", "schema")}
    (widened,) = [r for r in reviewed["resources"] if r["widens"]]
    assert widened["id"] == "Policy" and widened["widens"] == ['allows Action "*"; Resource "*"']
    param = next(r for r in reviewed["resources"] if r["id"] == "Param")
    assert param["properties"] == [{"name": "Value", "before": '"v1"', "after": '"v2"'}]
    markdown = (tmp_path / "change-set.md").read_text()
    assert (
        reviewed["change_set_arn"] in markdown and '**Widens access** Policy: allows Action "*"' in markdown
    )


def test_a_deploy_refuses_when_the_stack_changed_after_the_review(
    live: str, emulator: str, state: Path, tmp_path: Path
) -> None:
    digest = candidate(state, tmp_path, Param=parameter("v3"))
    review(digest, tmp_path / "change-set.json")
    approved = cli(
        "approve", "--env", "prod", "--artifact", digest, "--summary", str(tmp_path / "change-set.json")
    )
    assert approved.code == 0, approved.err
    cfn = session(emulator).client("cloudformation")
    changed = json.dumps({"Resources": {**LIVE, "Param": parameter("changed by hand")}})
    cfn.update_stack(StackName=STACK, TemplateBody=changed, Capabilities=["CAPABILITY_IAM"])
    before = unchanged(emulator, state)

    refused = cli("deploy", "--env", "prod", "--artifact", digest)

    assert refused.code == 1
    assert f"{STACK} changed since change set arn:aws:cloudformation:" in refused.err
    assert "(its template changed)" in refused.err and "nothing was executed" in refused.err
    assert unchanged(emulator, state) == before


def test_a_deploy_refuses_when_the_reviewed_change_set_is_gone(
    live: str, emulator: str, state: Path, tmp_path: Path
) -> None:
    digest = candidate(state, tmp_path, Param=parameter("v4"))
    arn = review(digest, tmp_path / "change-set.json")["change_set_arn"]
    approved = cli(
        "approve", "--env", "prod", "--artifact", digest, "--summary", str(tmp_path / "change-set.json")
    )
    assert approved.code == 0, approved.err
    session(emulator).client("cloudformation").delete_change_set(ChangeSetName=arn)
    before = unchanged(emulator, state)

    refused = cli("deploy", "--env", "prod", "--artifact", digest)

    assert refused.code == 1 and f"the reviewed change set {arn} is gone" in refused.err
    assert unchanged(emulator, state) == before


def test_a_planted_table_replacement_is_refused_without_its_explicit_approval(
    live: str, emulator: str, state: Path, tmp_path: Path
) -> None:
    digest = candidate(state, tmp_path, Table=table("t2"))
    reviewed = review(digest, tmp_path / "change-set.json")
    (replaced,) = [r for r in reviewed["resources"] if r["id"] == "Table"]
    assert (replaced["replacement"], replaced["replacement_source"], replaced["because"]) == (
        "True",
        "schema",
        ["TableName"],
    )
    summary = str(tmp_path / "change-set.json")

    refused = cli("approve", "--env", "prod", "--artifact", digest, "--summary", summary)
    assert refused.code == 1
    assert "replaces stateful Table (its data would be lost)" in refused.err
    assert "--allow-replacement Table" in refused.err
    deploy = cli("deploy", "--env", "prod", "--artifact", digest)
    assert deploy.code == 1 and f"prod requires an approval for {digest} and there is none" in deploy.err

    allowed = cli(
        "approve", "--env", "prod", "--artifact", digest, "--summary", summary, "--allow-replacement", "Table"
    )
    assert allowed.code == 0, allowed.err


def test_a_digest_whose_template_prod_already_runs_is_reviewed_as_changing_nothing(
    live: str, state: Path, tmp_path: Path
) -> None:
    digest = one_stack_artifact(state / "artifacts", STACK, LIVE, tmp_path, commit="a" * 40)
    ledger(state).record(Entry("staging", digest, "a" * 40, now(), "succeeded", "emulator", "seeded"))
    reviewed = review(digest, tmp_path / "change-set.json")
    assert reviewed["changes_nothing"] is True and reviewed["resources"] == []
    assert reviewed["change_set_arn"].startswith("arn:aws:cloudformation:")
    summary = str(tmp_path / "change-set.json")
    approved = cli("approve", "--env", "prod", "--artifact", digest, "--summary", summary)
    assert approved.code == 0, approved.err
    assert "(changes nothing: the template is what runs)" in approved.out


def test_a_manual_prod_deploy_of_a_digest_that_never_passed_staging_is_refused(
    live: str, emulator: str, state: Path, tmp_path: Path
) -> None:
    digest = one_stack_artifact(state / "artifacts", STACK, {**LIVE, "Param": parameter("v5")}, tmp_path)
    before = unchanged(emulator, state)

    refused = cli("deploy", "--env", "prod", "--artifact", digest)

    assert refused.code == 1
    assert (
        f"prod takes only digests that passed verify and smoke in staging, and {digest} never did"
        in refused.err
    )
    assert "careervp-ci promote --from staging --to prod" in refused.err
    assert unchanged(emulator, state) == before
