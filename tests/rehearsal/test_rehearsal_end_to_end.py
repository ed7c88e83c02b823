"""The Dagger path, executed: every workflow's `dagger call` chain rehearsed in real containers (podman),
and planted defects stopped and named. Slow by nature (the first run builds the toolchain image)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from careervp_ci.rehearsal.call import parse
from careervp_ci.rehearsal.rehearse import RESULT_STORE_IN_CONTAINER, World, workflows, world
from careervp_ci.rehearsal.scenarios import LAPTOP_EDIT_FILE, SCENARIOS, Scenario
from careervp_ci.rehearsal.workflow import Event, RehearsalFailed
from support.rehearsed_suites import REHEARSED_PROFILE, rehearsed_suites
from support.store_steps import reading, storable

ROOT = Path(__file__).resolve().parents[2]
CONTAINER_ID = re.compile(r"[0-9a-f]{64}")
CHECKOUT = "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8"
DAGGER = (
    "dagger/dagger-for-github@27b130bf0f79a7f6fbbbe0fbca6760dc9bb40a77\n"
    '        with:\n          version: "0.21.11"'
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]  # about 30 minutes cold on 2 cores


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`careervp-ci rehearse` over every workflow, as `make rehearse` runs it."""
    out = tmp_path_factory.mktemp("rehearsal") / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "careervp_ci.host.cli", "rehearse", "--src", str(ROOT), "--report", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-6000:]
    document: dict[str, Any] = json.loads(out.read_text())
    return document


def test_every_workflow_rehearses_green_with_real_containers(report: dict[str, Any]) -> None:
    assert [scenario["scenario"] for scenario in report["scenarios"]] == [s.name for s in SCENARIOS]
    assert {call["workflow"] for call in report["calls"]} == set(workflows()) - {"labeler"}  # no Dagger there
    failed = [(c["workflow"], c["job"], c["call"]) for c in report["calls"] if c["exit"] != 0]
    nightly_gate = (
        f"dagger call ci --profile nightly --result-store {RESULT_STORE_IN_CONTAINER} --write-results"
    )
    assert failed == [("nightly-maintenance", "quality / validate", nightly_gate)], (
        "only the failing-gate nightly's quality gate fails, as that scenario plants"
    )
    for call in report["calls"]:
        assert call["call"].startswith("dagger call ")
        assert call["containers"], call
        assert all(CONTAINER_ID.fullmatch(container) for container in call["containers"]), call
        assert "stands in for docker.io/library/python:3.13-slim@sha256:" in call["image"]
        assert call["toolchain"] in {"built", "pulled", "cached", None}, call
    passed = [call for call in report["calls"] if call["exit"] == 0]
    assert all(call["toolchain"] for call in passed), "every call that passed ran on a toolchain it names"


def function(line: str) -> str:
    """The module function a recorded `dagger call` line reached (`release ... deploy` -> deploy)."""
    return parse(shlex.split(line)[2:]).functions[-1].name


def test_the_release_chain_runs_build_publish_deploy_verify_smoke_in_order(report: dict[str, Any]) -> None:
    dev = [function(call["call"]) for call in report["calls"] if call["workflow"] == "deploy-dev"]
    order = [name for name in dev if name in ("build", "publish", "deploy", "verify", "smoke")]
    assert order == ["build", "publish", "deploy", "verify", "smoke"]
    prod = [c["call"] for c in report["calls"] if c["workflow"] == "deploy-stage-prod" and c["job"] == "prod"]
    assert any("--change-set change-set.json" in call for call in prod)


def test_the_suites_make_test_leaves_to_the_rehearsal_passed_whole_in_its_containers(
    report: dict[str, Any],
) -> None:
    """`make test` runs these folders only here (tests/conftest.py): the release world's validation ran each
    whole, as a gate of its profile, and passed."""
    assert set(rehearsed_suites()) == {"tests/unit", "tests/integration", "tests/regression", "tests/ci"}
    validation = f"dagger call ci --profile {REHEARSED_PROFILE} "
    calls = [c for c in report["calls"] if c["workflow"] == "deploy-dev" and c["call"].startswith(validation)]
    assert calls, f"deploy-dev made no `{validation.strip()}` call"
    assert all(call["exit"] == 0 for call in calls), calls


def test_a_hotfix_reaches_prod_only_through_the_reviewed_change_set(report: dict[str, Any]) -> None:
    hotfix = [
        (c["job"], function(c["call"]), c["call"]) for c in report["calls"] if c["workflow"] == "hotfix"
    ]
    assert ("build", "admit-ref", "dagger call admit-ref --ref v1.0.0 --env prod") in hotfix
    [prod] = [call for job, name, call in hotfix if job == "prod" and name == "deploy"]
    assert "--change-set change-set.json --approver github-environment:prod/" in prod
    assert [name for job, name, _ in hotfix if job == "change-set"] == ["change-set", "change-set-markdown"]


def test_a_rollback_of_dev_runs_through_the_release_path(report: dict[str, Any]) -> None:
    rollback = [c["call"] for c in report["calls"] if c["workflow"] == "rollback"]
    assert [function(call) for call in rollback] == ["rollback"], rollback
    words = shlex.split(rollback[0])
    assert (
        words[words.index("--env") + 1] == "dev"
        and words[words.index("--by") + 1] == "github:rehearsal-maintainer"
    )


def test_nightly_drift_laptop_and_the_gap_sandbox_ran_what_they_promise(report: dict[str, Any]) -> None:
    def functions(workflow: str) -> list[str]:
        return [function(c["call"]) for c in report["calls"] if c["workflow"] == workflow]

    nightly = [c["call"] for c in report["calls"] if c["workflow"] == "nightly-maintenance"]
    assert {function(call) for call in nightly} == {"ci", "reports", "job", "drift", "drift-table", "smoke"}
    drifts = [shlex.split(call) for call in nightly if function(call) == "drift"]
    legs = Counter(words[words.index("--env") + 1] for words in drifts)
    assert set(legs) == {"dev", "staging", "prod"} and len(set(legs.values())) == 1, (
        "each nightly drifts every environment once"
    )
    assert all("--synth" in words for words in drifts), "every leg compares with main's synth"
    laptop = [c for c in report["calls"] if c["workflow"] == "laptop"]
    assert [c["call"] for c in laptop] == ["dagger call ci --src . --result-store engine"] * 2
    edited = reading(ROOT, LAPTOP_EDIT_FILE, storable())
    assert edited, f"no step reads {LAPTOP_EDIT_FILE}: edit another file"
    assert storable() - edited <= set(laptop[1]["steps_from_store"]), (
        "after the edit, the engine's store hands the laptop every step the edit does not reach"
    )
    assert functions("gap-remediation") == [
        *("ci", "reports", "job"),  # the pull-request bar, and its synth job's cloud assembly uploaded
        *("ci", "reports"),  # the targeted suite beside it
        *("build", "publish", "deploy", "smoke", "destroy"),  # the sandbox, torn down after its smoke
    ]


def test_the_report_records_what_the_rehearsal_substitutes(report: dict[str, Any]) -> None:
    assert any("moto" in line for line in report["substitutions"])
    assert any("UNVERIFIED" in line and "audit" in line for line in report["substitutions"])


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    calls = tmp_path_factory.mktemp("planted") / "calls.jsonl"
    calls.write_text("")
    with world(ROOT, calls) as rehearsal:
        yield rehearsal


def rehearse_planted(rehearsal: World, steps: str, head: str = "main") -> None:
    workflow = f"""name: planted
on: push
permissions: {{}}
jobs:
  planted:
    runs-on: ubuntu-24.04
    environment: dev
    permissions:
      contents: read
      id-token: write
    env:
      ARTIFACT_STORE: ${{{{ vars.CAREERVP_ARTIFACT_STORE }}}}
    steps:
      - uses: {CHECKOUT}
      - uses: {DAGGER}
      - uses: aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df
        with:
          role-to-assume: ${{{{ secrets.AWS_ROLE_DEV }}}}
          aws-region: ${{{{ vars.AWS_REGION }}}}
{steps}"""
    (rehearsal.repo / ".github" / "workflows" / "planted.yml").write_text(workflow)
    rehearsal.run(Scenario("planted", "planted", Event("push"), "refs/heads/main", head=head))


RELEASE = (
    'dagger call release --store "$ARTIFACT_STORE" --aws-access-key-id env:AWS_ACCESS_KEY_ID '
    "--aws-secret-access-key env:AWS_SECRET_ACCESS_KEY "
    '--aws-session-token env:AWS_SESSION_TOKEN --aws-region "$AWS_REGION"'
)


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("dagger call lintt", 'unknown command "lintt" for "dagger call"'),
        ("dagger call lint --srcs .", "unknown flag: --srcs"),
    ],
)
def test_a_dagger_call_the_cli_would_refuse_stops_the_rehearsal_named(
    planted: World, line: str, named: str
) -> None:
    with pytest.raises(RehearsalFailed, match=re.escape(named)) as failed:
        rehearse_planted(planted, f"      - name: Planted\n        run: {line}\n")
    assert "planted.yml, job 'planted', step 'Planted'" in str(failed.value)


def test_a_workflow_that_forgets_a_secret_a_function_needs_fails_naming_it(planted: World) -> None:
    smoke = f"{RELEASE} smoke --env dev"
    with pytest.raises(RehearsalFailed, match="STRIPE_WEBHOOK_SECRET"):
        rehearse_planted(planted, f"      - name: Smoke without the webhook secret\n        run: {smoke}\n")


def plant_branch(rehearsal: World, branch: str, path: str, old: str, new: str) -> None:
    """Commit `old` -> `new` in `path` on a new branch of the rehearsed clone; main stays as it was."""
    repo = rehearsal.repo
    file = repo / path
    original = file.read_text()
    assert old in original, f"the plant's anchor moved in {path}"
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "-b", branch, "main"], check=True)
    file.write_text(original.replace(old, new, 1))
    identity = ["-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "-C", str(repo), *identity, "commit", "-qam", f"plant: {branch}"], check=True)
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "main"], check=True)


@pytest.mark.parametrize(
    ("line", "named"),
    [
        (
            f"{RELEASE} ledger --as-json false",
            'unknown command "false" for "dagger call release ledger": --as-json is a boolean flag and '
            "takes no value",
        ),
        (
            'dagger call build --commit "$GITHUB_SHA" entries',
            'unknown command "entries" for "dagger call build": File has no such function',
        ),
    ],
)
def test_a_boolean_flag_given_a_value_or_a_chained_call_the_type_lacks_is_refused_named(
    planted: World, line: str, named: str
) -> None:
    with pytest.raises(RehearsalFailed, match=re.escape(named)):
        rehearse_planted(planted, f"      - name: Planted\n        run: {line}\n")


def test_a_function_called_by_a_spelling_the_cli_would_not_accept_is_refused_named(planted: World) -> None:
    """A function whose name has a digit: the engine names it `e2E` and the CLI `e-2-e`, so a workflow
    that writes `dagger call e2e` fails on its first real run."""
    anchor = "    @function\n    async def build("
    digit = '    @function\n    def e2e(self) -> str:\n        """Planted."""\n        return "planted"\n\n'
    plant_branch(planted, "planted-digit", "ci/src/careervp_ci/dagger_module/main.py", anchor, digit + anchor)
    named = 'unknown command "e2e" for "dagger call": the Dagger CLI spells that function \'e-2-e\''
    with pytest.raises(RehearsalFailed, match=re.escape(named)):
        rehearse_planted(
            planted, "      - name: Planted\n        run: dagger call e2e\n", head="planted-digit"
        )


UPLOAD = "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02"


def test_an_upload_of_a_path_the_action_skips_by_default_fails_named(planted: World) -> None:
    """upload-artifact v4.6.2 skips hidden files unless told: `.reports/` uploads nothing."""
    steps = (
        "      - name: Reports\n"
        "        run: mkdir -p .reports && echo junit > .reports/junit.xml\n"
        f"      - uses: {UPLOAD}\n"
        "        with:\n"
        "          name: planted-reports\n"
        "          path: .reports/\n"
        "          if-no-files-found: error\n"
    )
    with pytest.raises(RehearsalFailed, match=r"include-hidden-files is false, so the hidden path skips"):
        rehearse_planted(planted, steps)


def test_a_with_key_the_pinned_action_lacks_fails_named(planted: World) -> None:
    steps = (
        f"      - uses: {UPLOAD}\n"
        "        with:\n"
        "          name: planted\n"
        "          path: README.md\n"
        "          retention: 3\n"
    )
    with pytest.raises(RehearsalFailed, match=r"has no input 'retention'"):
        rehearse_planted(planted, steps)


def test_a_recipe_that_runs_git_fails_the_rehearsal_naming_it(planted: World) -> None:
    """The rehearsal's image has no git, as the real python:3.13-slim: a container that needs git fails
    here as it would on a fresh engine (the engine-free proof for every recipe is in
    tests/ci/dagger_module/test_dagger_no_git.py)."""
    install_uv = '("exec", "pip", "install", "--no-cache-dir", f"uv=={UV_VERSION}"),'
    git = install_uv + '\n        ("exec", "git", "--version"),'
    plant_branch(planted, "planted-git", "ci/src/careervp_ci/dagger_module/setup.py", install_uv, git)
    with pytest.raises(RehearsalFailed, match=r"`git --version` exited"):
        rehearse_planted(
            planted,
            "      - name: Build\n"
            '        run: dagger call build --commit "$GITHUB_SHA" export --path dist/release.tar\n',
            head="planted-git",
        )
