"""Release state lives in the artifact store and on the stack, not on the machine that ran the command.

Every command runs as a real `careervp-ci` process in a fresh `git clone` (its own `.careervp`, no state
of this checkout) against one moto server over HTTP that stands in for dev, staging and prod. The clones
share only the store folder ($CAREERVP_ARTIFACT_STORE) and the targets file; each test has its own store.
"""

from __future__ import annotations

import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from careervp_ci.release.artifact import digest_of, parse_digest
from careervp_ci.release.emulator import EMULATOR_CREDENTIALS
from careervp_ci.release.smoke import CHECKS
from careervp_ci.release.store import object_name
from support.release_cli import (
    REPO,
    Built,
    Result,
    fresh_clone,
    process_env,
    run_cli,
    write_emulator_targets,
)

pytestmark = pytest.mark.slow
SECRET = "test-webhook-secret-shared_" + "2" * 24
STACKS = {env: f"careervp-{env}-service-stack" for env in ("dev", "staging", "prod")}


@dataclass(frozen=True)
class Team:
    """The places several people release from: clones that share only a store and the targets."""

    root: Path
    targets: Path
    emulator: str
    commit: str

    def env(self, store: Path, **more: str) -> dict[str, str]:
        return process_env(
            CAREERVP_TARGETS=str(self.targets),
            CAREERVP_ARTIFACT_STORE=str(store),
            STRIPE_WEBHOOK_SECRET=SECRET,
            **more,
        )

    def clone(self, name: str) -> Path:
        return fresh_clone(REPO, self.root / name / "repo", self.commit)


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory, emulator: str, built: Built) -> Team:
    root = tmp_path_factory.mktemp("team")
    targets = write_emulator_targets(root / "targets.toml", emulator, ("dev", "staging", "prod"))
    return Team(root, targets, emulator, built.commit)


def tags(emulator: str, stack: str) -> dict[str, str]:
    client = boto3.client(
        "cloudformation",
        endpoint_url=emulator,
        region_name="us-east-1",
        aws_access_key_id=EMULATOR_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=EMULATOR_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    (found,) = client.describe_stacks(StackName=stack)["Stacks"]
    return {tag["Key"]: tag["Value"] for tag in found.get("Tags", [])}


def ok(result: Result) -> Result:
    assert result.code == 0, result.err[-3000:]
    return result


def test_three_fresh_clones_release_dev_staging_prod_through_one_store_and_a_fourth_sees_it_all(
    built: Built, team: Team, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    digest = built.digest
    a = built.clone
    ok(run_cli(a, team.env(store), "publish", "--artifact", digest))
    ok(run_cli(a, team.env(store), "deploy", "--env", "dev", "--artifact", digest, "--ref", "main"))

    b = team.clone("b")
    verified = ok(run_cli(b, team.env(store), "verify", "--env", "dev"))
    assert f"dev runs {digest}" in verified.out and "verified" in verified.out
    smoke = ok(run_cli(b, team.env(store), "smoke", "--env", "dev"))
    # the HTTP checks, the canary's probe, a notification, the SPA's config.json and the SPA in Chromium
    # (its health, the smoke user signed in, a document stored through the API on the list)
    assert smoke.out.count("ok   ") == len(CHECKS) + 6
    # the Lambda canary, WAF, the email's recipient, the subscription, CloudFront serving the SPA
    assert smoke.out.count("n/v  ") == 5
    spa = ok(run_cli(b, team.env(store), "smoke", "--env", "dev", "--phase", "18"))
    assert "ok   frontend: the SPA in Chromium shows the API healthy" in spa.out
    assert "ok   frontend: the SPA in Chromium lists a document stored through the API" in spa.out
    phase = ok(run_cli(b, team.env(store), "smoke", "--env", "dev", "--phase", "12"))
    passed = [line for line in phase.out.splitlines() if line.startswith("ok")]
    assert [line.split(":")[0] for line in passed] == ["ok   interview prep"] * 3
    auth = ok(run_cli(b, team.env(store), "smoke", "--env", "dev", "--phase", "14"))
    assert [line.split(":")[0] for line in auth.out.splitlines() if line.startswith("ok")] == [
        "ok   authentication"
    ] * 3
    assert "smoke user" in auth.err and "Cognito API" in auth.err  # moto's CloudFormation makes no pool
    ok(run_cli(b, team.env(store), "promote", "--from", "dev", "--to", "staging"))

    c = team.clone("c")
    review = c / "change-set.json"
    ok(run_cli(c, team.env(store), "change-set", "--env", "prod", "--artifact", digest, "--out", str(review)))
    approve = ("approve", "--env", "prod", "--artifact", digest, "--summary", str(review))
    ok(run_cli(c, team.env(store), *approve, "--approver", "alice@example.invalid"))
    prod = ok(run_cli(c, team.env(store), "promote", "--from", "staging", "--to", "prod"))
    assert "approved by alice@example.invalid" in prod.err

    for stack in STACKS.values():
        assert tags(team.emulator, stack)["careervp:digest"] == digest
        assert tags(team.emulator, stack)["careervp:ref"] == "main"
    d = team.clone("d")
    history = json.loads(ok(run_cli(d, team.env(store), "ledger", "--json")).out)
    outcomes = sorted((entry["env"], entry["outcome"]) for entry in history["entries"])
    assert outcomes == sorted((env, step) for env in STACKS for step in ("started", "succeeded"))
    assert {entry["digest"] for entry in history["entries"]} == {digest}
    assert {entry["ref"] for entry in history["entries"]} == {"main"}
    prod_entries = [entry for entry in history["entries"] if entry["env"] == "prod"]
    assert {entry["approved_by"] for entry in prod_entries} == {"alice@example.invalid"}
    assert not (b / ".careervp" / "artifacts" / "ledger").exists(), "history must live in the store only"


def test_promote_refuses_when_the_source_stack_no_longer_runs_the_digest_that_passed(
    built: Built, team: Team, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    a = built.clone
    ok(run_cli(a, team.env(store), "publish", "--artifact", built.digest))
    ok(run_cli(a, team.env(store), "deploy", "--env", "dev", "--artifact", built.digest))
    other = "sha256:" + "0" * 64
    client = boto3.client(
        "cloudformation",
        endpoint_url=team.emulator,
        region_name="us-east-1",
        aws_access_key_id=EMULATOR_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=EMULATOR_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    template = client.get_template(StackName=STACKS["dev"])["TemplateBody"]
    client.update_stack(
        StackName=STACKS["dev"],
        TemplateBody=template if isinstance(template, str) else json.dumps(template),
        Capabilities=["CAPABILITY_NAMED_IAM"],
        Tags=[{"Key": "careervp:digest", "Value": other}],
    )
    try:
        refused = run_cli(a, team.env(store), "promote", "--from", "dev", "--to", "staging")
        assert refused.code == 1
        assert "dev no longer runs the digest that passed there" in refused.err
        assert built.digest in refused.err and other in refused.err
    finally:
        ok(run_cli(a, team.env(store), "deploy", "--env", "dev", "--artifact", built.digest))


def test_a_changed_ledger_record_is_named_and_the_ledger_is_not_trusted(
    built: Built, team: Team, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    a = built.clone
    ok(run_cli(a, team.env(store), "publish", "--artifact", built.digest))
    ok(run_cli(a, team.env(store), "deploy", "--env", "dev", "--artifact", built.digest))
    record = store / "ledger" / "dev" / "00000002.json"
    original = record.read_text()
    edited = json.loads(original)
    edited["outcome"] = "succeeded" if edited["outcome"] != "succeeded" else "smoke-failed"
    record.write_text(json.dumps(edited))

    shown = run_cli(a, team.env(store), "ledger")
    assert shown.code == 1
    assert f"ledger record {record} was changed after it was written" in shown.err
    promoted = run_cli(a, team.env(store), "promote", "--from", "dev", "--to", "staging")
    assert promoted.code == 1 and str(record) in promoted.err

    record.write_text(original)
    (store / "ledger" / "dev" / "00000001.json").unlink()
    broken = run_cli(a, team.env(store), "ledger", "--env", "dev")
    assert broken.code == 1 and "does not follow the record before it" in broken.err


@dataclass(frozen=True)
class Rebuilt:
    """A second clone at another path, with what the Dagger upload leaves out removed, refused a tampered
    artifact and then rebuilt it into the same store."""

    clone: Path
    store: Path
    refused: Result
    build: Result


@pytest.fixture(scope="module")
def rebuilt(built: Built, team: Team) -> Rebuilt:
    store = team.root / "healing-store"
    store.mkdir()
    stored = store / object_name(parse_digest(built.digest))
    tampered = bytearray(built.tar.read_bytes())
    tampered[len(tampered) // 2] ^= 0x01
    stored.write_bytes(bytes(tampered))
    clone = team.clone("second/at/a/longer/path")
    for outside in ("README.md", "CONTRIBUTING.md", "dagger.json", ".gitignore"):
        (clone / outside).unlink(missing_ok=True)
    refused = run_cli(clone, team.env(store), "deploy", "--env", "dev", "--artifact", built.digest)
    build = run_cli(clone, team.env(store), "build", "--src", str(clone))
    return Rebuilt(clone, store, refused, build)


def test_a_tampered_artifact_is_refused_by_name_and_a_rebuild_heals_the_store(
    built: Built, team: Team, rebuilt: Rebuilt
) -> None:
    name = object_name(parse_digest(built.digest))
    assert rebuilt.refused.code == 1
    assert (
        f"artifact {built.digest} in {rebuilt.store / name} is corrupt or tampered with"
        in rebuilt.refused.err
    )
    assert "rebuild the same commit" in rebuilt.refused.err
    assert ok(rebuilt.build).out.strip() == built.digest
    assert str(digest_of(rebuilt.store / name)) == built.digest, "the rebuild left the corrupt copy"
    (event,) = json.loads(ok(run_cli(rebuilt.clone, team.env(rebuilt.store), "ledger", "--json")).out)[
        "store_events"
    ]
    assert (event["event"], event["key"]) == ("replaced-corrupt-object", name)
    ok(run_cli(rebuilt.clone, team.env(rebuilt.store), "deploy", "--env", "dev", "--artifact", built.digest))


def test_the_same_commit_built_in_two_clones_at_two_paths_gives_one_digest(
    built: Built, rebuilt: Rebuilt
) -> None:
    assert built.clone.resolve() != rebuilt.clone.resolve()
    assert len(str(built.clone)) != len(str(rebuilt.clone))
    assert ok(rebuilt.build).out.strip() == built.digest
    with tarfile.open(built.tar) as archive:
        member = archive.extractfile("manifest.json")
        assert member is not None
        manifest = json.load(member)
        names = archive.getnames()
    assert manifest["dirty"] is False, "files the build does not read must not make the tree dirty"
    assert manifest["tools"]["uv"] == "0.13.8"
    assert not [n for n in names if "/bin/" in n or n.endswith("/.lock")], "installer leftovers packaged"
