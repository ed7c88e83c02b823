"""`careervp-ci hotfix` end to end: a ref is validated, built and deployed to an emulator-backed target.

The hotfix runs in a `git clone --local` of this repository in a temporary folder, so the refs it ships (a
fix branch one commit past HEAD, and a branch whose commit plants a lint error) never touch the shared
checkout. dev and prod point at one moto server this module runs; prod requires an approval, as in the real
targets file. Validation uses `--steps lint` (the documented narrow bar): the full `pr` profile takes
about a minute and is the default; what is under test here is that validation runs on the ref and gates
the build.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import boto3
import pytest
from careervp_ci.release.hotfix import validation_environment
from careervp_ci.release.ledger import Ledger
from careervp_ci.release.smoke import CHECKS
from careervp_ci.release.store import FolderBackend
from support.git import git
from support.release_cli import Result, cli, write_emulator_targets

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SECRET = "test-webhook-secret-e2e_" + "1" * 24
GOOD_REF = "hotfix/fix-note"
BROKEN_REF = "hotfix/planted-lint-error"
PLANTED = "src/backend/careervp/__init__.py"


@dataclass(frozen=True)
class Clone:
    path: Path
    head: str
    good: str
    broken: str


def commit_on_branch(repo: Path, branch: str, path: str, addition: str) -> str:
    """A branch one commit past HEAD that appends `addition` to `path`; the clone stays on HEAD."""
    git(repo, "switch", "--quiet", "-c", branch)
    with (repo / path).open("a", encoding="utf-8") as stream:
        stream.write(addition)
    git(repo, "commit", "--quiet", "-am", f"{branch}: change {path}")
    commit = git(repo, "rev-parse", "HEAD")
    git(repo, "switch", "--quiet", "-")
    return commit


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Clone:
    path = tmp_path_factory.mktemp("hotfix") / "repo"
    subprocess.run(["git", "clone", "--quiet", "--local", str(REPO), str(path)], check=True)
    good = commit_on_branch(path, GOOD_REF, "CONTRIBUTING.md", "\nHotfix note.\n")
    broken = commit_on_branch(path, BROKEN_REF, PLANTED, "\nimport os  # planted: unused import (F401)\n")
    return Clone(path, git(path, "rev-parse", "HEAD"), good, broken)


@pytest.fixture(scope="module")
def state(clone: Clone, emulator: str) -> Iterator[Path]:
    """The release state dir; dev and prod (approval required) on the module's emulator; cwd the clone."""
    home = clone.path.parent
    targets = home / "targets.toml"
    write_emulator_targets(targets, emulator, ("dev", "prod"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(clone.path)
        patch.setenv("CAREERVP_TARGETS", str(targets))
        patch.setenv("CAREERVP_STATE_DIR", str(home / "state"))
        patch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
        patch.delenv("CAREERVP_CACHE_DIR", raising=False)  # validation must run, not hit a cache
        yield home / "state"


@pytest.fixture(scope="module")
def dev_hotfix(state: Path) -> tuple[Result, float]:
    """The good ref hotfixed to dev once for the module: (result, seconds)."""
    started = time.monotonic()
    result = cli("hotfix", "--ref", GOOD_REF, "--env", "dev", "--steps", "lint")
    return result, time.monotonic() - started


def stacks(emulator: str) -> list[str]:
    client = boto3.client("cloudformation", endpoint_url=emulator, region_name="us-east-1")
    return sorted(
        s["StackName"] for s in client.describe_stacks()["Stacks"] if s["StackStatus"] != "DELETE_COMPLETE"
    )


def ledger(state: Path, env: str) -> list[dict[str, str]]:
    return [asdict(entry) for entry in Ledger(FolderBackend(state / "artifacts")).entries(env)]


def artifacts(state: Path) -> list[str]:
    return sorted(path.name for path in (state / "artifacts").glob("*.tar"))


def deployed_digest(result: Result, env: str) -> str:
    line = next(line for line in result.out.splitlines() if line.startswith(f"{env}: sha256:"))
    return line.split()[1]


@pytest.fixture
def untouched(emulator: str, state: Path) -> Iterator[None]:
    """The hotfix under test must leave stacks, ledger and artifact store exactly as they were."""
    before = (stacks(emulator), ledger(state, "dev"), ledger(state, "prod"), artifacts(state))
    yield
    assert (stacks(emulator), ledger(state, "dev"), ledger(state, "prod"), artifacts(state)) == before


def test_hotfix_validates_builds_and_deploys_the_ref_to_dev(
    dev_hotfix: tuple[Result, float], clone: Clone, state: Path, emulator: str
) -> None:
    result, seconds = dev_hotfix
    assert result.code == 0, result.err
    assert clone.good != clone.head, "the fix must be a commit the clone is not standing on"

    validated = f"hotfix: steps lint passed on {GOOD_REF} ({clone.good[:12]}); reports in "
    assert validated in result.err
    reports = Path(result.err.split(validated)[1].splitlines()[0])
    assert "careervp-ci lint: PASSED" in (reports / "lint" / "summary.md").read_text()
    assert "verify: verified" in result.err
    assert (
        result.out.count("ok   ") == len(CHECKS) + 6 and "FAIL" not in result.out
    )  # the HTTP checks, the canary's probe, a notification, the SPA's config.json and its page (3 checks)

    digest = deployed_digest(result, "dev")
    assert f"hotfix: built {digest} from {clone.good[:12]}" in result.err
    entry = ledger(state, "dev")[-1]
    assert (entry["digest"], entry["commit"], entry["outcome"], entry["target"], entry["ref"]) == (
        digest,
        clone.good,
        "succeeded",
        "emulator",
        GOOD_REF,
    )
    assert "careervp-dev-service-stack" in stacks(emulator)
    print(f"\nhotfix to dev (validate lint, build, deploy, verify, smoke) {seconds:.1f}s")


def test_hotfix_whose_validation_fails_stops_before_building_or_deploying(
    untouched: None, clone: Clone
) -> None:
    result = cli("hotfix", "--ref", BROKEN_REF, "--env", "dev", "--steps", "lint")
    assert result.code == 1
    assert f"hotfix {BROKEN_REF} ({clone.broken[:12]}) failed validation (steps lint)" in result.err
    assert "nothing was built or deployed" in result.err
    assert "lint failed" in result.err and "F401" in result.err
    assert "hotfix: built" not in result.err


def test_hotfix_to_prod_refuses_a_ref_off_main_without_a_recorded_override(
    untouched: None, clone: Clone
) -> None:
    result = cli("hotfix", "--ref", GOOD_REF, "--env", "prod", "--steps", "lint")
    assert result.code == 2
    assert f"hotfix to prod refuses {GOOD_REF!r} ({clone.good[:12]}): it is neither on main" in result.err
    assert "--override-ref" in result.err and "validating" not in result.err


def test_admit_ref_applies_the_same_rule_without_building_anything(untouched: None, clone: Clone) -> None:
    """What the hotfix workflow asks before it builds a ref for prod (`dagger call admit-ref`)."""
    refused = cli("admit-ref", "--ref", GOOD_REF, "--env", "prod")
    assert refused.code == 2 and "it is neither on main nor a release tag" in refused.err
    admitted = cli("admit-ref", "--ref", GOOD_REF, "--env", "dev")
    assert admitted.code == 0 and f"{GOOD_REF} ({clone.good}) may go to dev" in admitted.out
    overridden = cli("admit-ref", "--ref", GOOD_REF, "--env", "prod", "--override-ref", "incident 42")
    assert overridden.code == 0 and "ref override: incident 42" in overridden.out


def test_hotfix_to_prod_with_an_override_stops_at_the_approval_gate(
    dev_hotfix: tuple[Result, float], untouched: None, emulator: str
) -> None:
    digest = deployed_digest(dev_hotfix[0], "dev")
    override = ("--override-ref", "incident 42: main is frozen")
    result = cli("hotfix", "--ref", GOOD_REF, "--env", "prod", "--steps", "lint", *override)
    assert result.code == 1
    assert "ref override: incident 42: main is frozen" in result.err
    assert f"hotfix: built {digest}" in result.err, "the same ref must rebuild to the same digest"
    assert f"prod requires an approval for {digest} and there is none" in result.err
    assert f"careervp-ci approve --env prod --artifact {digest}" in result.err
    assert "careervp-prod-service-stack" not in stacks(emulator)


def test_hotfix_of_a_checkout_given_its_commit_builds_it_in_place_without_git(
    dev_hotfix: tuple[Result, float], clone: Clone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `dagger call release ... hotfix --ref R --commit SHA` runs in its container (no git there): the
    tree is R's checkout, validated and built in place, to the digest the worktree hotfix built."""
    checkout = tmp_path / "checkout"
    git(clone.path, "worktree", "add", "--quiet", "--detach", str(checkout), clone.good)
    stub = tmp_path / "no-git" / "git"
    stub.parent.mkdir()
    stub.write_text(f'#!/bin/sh\necho "git $*" >> "{tmp_path / "git-calls.txt"}"\nexit 97\n')
    stub.chmod(0o755)
    monkeypatch.setenv("PATH", f"{stub.parent}:{os.environ['PATH']}")
    monkeypatch.chdir(checkout)
    result = cli("hotfix", "--ref", GOOD_REF, "--commit", clone.good, "--env", "dev", "--steps", "lint")
    assert result.code == 0, result.err
    assert f"hotfix: built {deployed_digest(dev_hotfix[0], 'dev')} from {clone.good[:12]}" in result.err
    assert not (tmp_path / "git-calls.txt").exists(), (tmp_path / "git-calls.txt").read_text()


def test_hotfix_refuses_a_commit_its_ref_does_not_name_before_validating(
    untouched: None, clone: Clone
) -> None:
    result = cli("hotfix", "--ref", GOOD_REF, "--commit", clone.head, "--env", "dev", "--steps", "lint")
    assert result.code == 2
    assert f"hotfix --commit {clone.head[:12]} is not the commit {GOOD_REF!r} names ({clone.good[:12]})" in (
        result.err
    )
    assert "validating" not in result.err


def test_hotfix_refuses_a_missing_secret_before_validating(
    untouched: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET")
    result = cli("hotfix", "--ref", GOOD_REF, "--env", "dev", "--steps", "lint")
    assert result.code == 2 and "missing secret STRIPE_WEBHOOK_SECRET for dev" in result.err
    assert "validating" not in result.err


def test_hotfix_refuses_an_unknown_validation_step(untouched: None) -> None:
    result = cli("hotfix", "--ref", GOOD_REF, "--env", "dev", "--steps", "lint,lintt")
    assert result.code == 2 and "hotfix --steps: unknown step 'lintt'; valid steps: " in result.err
    assert "validating" not in result.err


def test_validation_runs_without_the_deploy_secret_or_cloud_credentials() -> None:
    held = {
        "STRIPE_WEBHOOK_SECRET": SECRET,
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_PROFILE": "prod",
        "PATH": "/bin",
    }
    assert validation_environment(held) == {"PATH": "/bin"}
