"""The release path's Dagger object, checked without an engine: `release` names the store and the AWS
credentials once, and every method runs the host's release command with them, never cached."""

from __future__ import annotations

import asyncio
from typing import Any

import dagger
import pytest
from careervp_ci.dagger_module.containers import built
from careervp_ci.dagger_module.main import Careervp
from careervp_ci.dagger_module.release import CHANGE_SET, EVIDENCE, Release
from careervp_ci.release.cli import COMMANDS
from careervp_ci.release.credentials import PartialCredentials
from dagger import dag
from dagger.mod._converter import to_typedef
from dagger.mod._resolver import Function
from support.dagger_recipes import (
    COMMIT,
    CREDENTIALS,
    FAKE_DIGEST,
    aws_secrets,
    calls,
    execs,
    recorded_run,
    secret_and_plain_names,
    tree,
)

STORE = "s3://bucket/prefix"
HOST_ONLY = {
    "emulator": "a long-lived local moto server in the foreground, for people and tests",
    "account": "an operator's once-per-account setup, run with their own AWS credentials (docs/aws-setup.md)",
}
ON_THE_MAIN_OBJECT = {"build", "admit-ref", "change-set-markdown", "github-settings"}
"""Release commands that need no store: the tree, the history, a summary file or a GitHub token decide."""
SIGNS_A_REPLAY = {"deploy", "smoke", "journeys", "promote", "rollback", "hotfix"}
"""Methods that reach the deployed webhook, so they take the environment's signing secret."""
DEPLOYS = {"deploy", "promote", "rollback", "hotfix"}
"""Methods that deploy, so they take the model API key (the deploy stores it for the functions)."""


def methods() -> dict[str, Function[Any, Any]]:
    objects = Careervp.__dagger_module__._objects  # type: ignore[attr-defined]
    return {name: function for name, function in objects["Release"].functions.items() if name}


def release(**credentials: Any) -> Release:
    return Careervp().release(src=tree(), store=STORE, **credentials)


def parity_problems(host: set[str], main: set[str], release: set[str]) -> list[str]:
    return [
        f"release command {command!r} has no Dagger function"
        for command in sorted(host - set(HOST_ONLY))
        if command.replace("-", "_") not in (release if command not in ON_THE_MAIN_OBJECT else main)
    ]


def test_every_host_release_command_is_a_release_method_or_a_main_function() -> None:
    main = set(Careervp.__dagger_module__._objects["Careervp"].functions)  # type: ignore[attr-defined]
    assert parity_problems(set(COMMANDS), main, set(methods())) == []


def test_parity_names_a_missing_method() -> None:
    main = set(Careervp.__dagger_module__._objects["Careervp"].functions)  # type: ignore[attr-defined]
    assert parity_problems(set(COMMANDS), main, set(methods()) - {"promote"}) == [
        "release command 'promote' has no Dagger function"
    ]


@pytest.mark.parametrize("name", sorted(methods()))
def test_every_method_is_never_cached(name: str) -> None:
    assert methods()[name].cache_policy == "never"


def test_release_takes_the_credentials_as_secrets_and_names_the_store_once() -> None:
    function = Careervp.__dagger_module__._objects["Careervp"].functions["release"]  # type: ignore[attr-defined]
    parameters = function.parameters
    for credential in ("aws_access_key_id", "aws_secret_access_key", "aws_session_token"):
        assert parameters[credential].resolved_type == dagger.Secret | None
    assert not parameters["store"].is_optional
    for name, method in methods().items():
        assert not {"store", "aws_region", "aws_access_key_id"} & set(method.parameters), name


@pytest.mark.parametrize("name", sorted(methods()))
def test_the_webhook_secret_is_a_secret_and_only_where_a_replay_is_signed(name: str) -> None:
    parameters = methods()[name].parameters
    assert ("stripe_webhook_secret" in parameters) == (name in SIGNS_A_REPLAY)
    if name in SIGNS_A_REPLAY:
        assert parameters["stripe_webhook_secret"].resolved_type == dagger.Secret | None


@pytest.mark.parametrize("name", sorted(methods()))
def test_the_model_key_is_a_secret_and_only_where_a_deploy_stores_it(name: str) -> None:
    parameters = methods()[name].parameters
    assert ("anthropic_api_key" in parameters) == (name in DEPLOYS)
    if name in DEPLOYS:
        assert parameters["anthropic_api_key"].resolved_type == dagger.Secret | None


def test_every_method_and_field_has_a_type_the_engine_accepts() -> None:
    for name, method in methods().items():
        to_typedef(method.return_type, f"return of {name}")
        for parameter in method.parameters.values():
            to_typedef(parameter.resolved_type, f"{parameter.name} of {name}")
    objects = Careervp.__dagger_module__._objects  # type: ignore[attr-defined]
    assert set(objects["Release"].fields) == {"store", "region"}


def test_deploy_runs_with_the_credentials_as_secret_variables_and_no_plain_credential(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = recorded_run(monkeypatch)
    key_id, key, token = aws_secrets()
    credentials = {"aws_access_key_id": key_id, "aws_secret_access_key": key, "aws_session_token": token}
    webhook = dag.set_secret("webhook", "whsec-not-real")
    model_key = dag.set_secret("model-key", "sk-ant-not-real")
    asyncio.run(
        release(**credentials, aws_region="eu-west-1").deploy(
            env="dev", artifact=FAKE_DIGEST, stripe_webhook_secret=webhook, anthropic_api_key=model_key
        )
    )
    secret, plain = secret_and_plain_names(seen[-1])
    assert secret == CREDENTIALS | {"STRIPE_WEBHOOK_SECRET", "ANTHROPIC_API_KEY"}
    assert "sk-ant-not-real" not in repr(calls(seen[-1]))
    assert not plain & secret
    assert {"AWS_REGION", "AWS_DEFAULT_REGION"} <= plain
    assert "AKIA-NOT-REAL" not in repr(calls(seen[-1]))
    assert execs(seen[-1])[-1] == [
        "careervp-ci", "deploy", "--env", "dev", "--artifact", FAKE_DIGEST, "--store", STORE,
    ]  # fmt: skip


def test_deploy_with_a_change_set_approves_that_file_then_deploys_in_the_same_container(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = recorded_run(monkeypatch)
    reviewed = dag.host().file("/nonexistent/change-set.json")
    asyncio.run(
        release().deploy(
            env="prod", artifact=FAKE_DIGEST, change_set=reviewed, approver="github-environment:prod/run-7"
        )
    )
    approve, deploy = seen[-2], seen[-1]
    assert execs(approve)[-1] == [
        "careervp-ci", "approve", "--env", "prod", "--artifact", FAKE_DIGEST, "--summary", CHANGE_SET,
        "--approver", "github-environment:prod/run-7", "--store", STORE,
    ]  # fmt: skip
    assert ("withFile", {"path": CHANGE_SET, "source": reviewed}) in calls(approve)
    assert execs(deploy)[-2:] == [
        execs(approve)[-1],
        ["careervp-ci", "deploy", "--env", "prod", "--artifact", FAKE_DIGEST, "--store", STORE],
    ]


def test_deploy_without_a_change_set_runs_no_approve(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = recorded_run(monkeypatch)
    asyncio.run(release().deploy(env="dev", artifact=FAKE_DIGEST))
    assert not [argv for argv in execs(seen[-1]) if argv[:2] == ["careervp-ci", "approve"]]


def test_a_hotfix_deploy_says_so_to_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = recorded_run(monkeypatch)
    asyncio.run(release().deploy(env="prod", artifact=FAKE_DIGEST, ref="v1.2.4", hotfix=True))
    assert execs(seen[-1])[-1] == [
        "careervp-ci", "deploy", "--env", "prod", "--artifact", FAKE_DIGEST, "--ref", "v1.2.4", "--hotfix",
        "--store", STORE,
    ]  # fmt: skip


def test_rollback_passes_the_target_digest_and_who_runs_it_only_when_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = recorded_run(monkeypatch)
    asyncio.run(release().rollback(env="prod"))
    assert execs(seen[-1])[-1] == ["careervp-ci", "rollback", "--env", "prod", "--store", STORE]
    asyncio.run(release().rollback(env="prod", to=FAKE_DIGEST, by="github:oncall"))
    assert execs(seen[-1])[-1] == [
        "careervp-ci", "rollback", "--env", "prod", "--to", FAKE_DIGEST, "--by", "github:oncall",
        "--store", STORE,
    ]  # fmt: skip


def test_change_set_returns_the_summary_file(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = recorded_run(monkeypatch)
    summary: dagger.File = asyncio.run(release().change_set(env="prod", artifact=FAKE_DIGEST))
    assert calls(summary)[-1] == ("file", {"path": CHANGE_SET})
    assert execs(seen[-1])[-1] == [
        "careervp-ci", "change-set", "--env", "prod", "--artifact", FAKE_DIGEST, "--out", CHANGE_SET,
        "--store", STORE,
    ]  # fmt: skip


def test_publish_runs_in_builds_own_container_so_the_engine_builds_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = recorded_run(monkeypatch, output=FAKE_DIGEST + "\n")
    build = asyncio.run(built(tree(), COMMIT))
    asyncio.run(release().publish(artifact=FAKE_DIGEST, commit=COMMIT))
    build_execs = execs(build)
    assert execs(seen[-1])[: len(build_execs)] == build_execs
    assert execs(seen[-1])[-1] == ["careervp-ci", "publish", "--artifact", FAKE_DIGEST, "--store", STORE]


def is_call_id(name: str, args: dict[str, Any]) -> bool:
    return name == "withEnvVariable" and args["name"] == "CAREERVP_CALL_ID"


def test_each_call_carries_a_fresh_call_id_so_the_engine_never_replays_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = recorded_run(monkeypatch)
    smokes = []
    for _ in range(2):
        asyncio.run(release().smoke(env="dev"))
        smokes.append(seen[-1])
    ids = [[args["value"] for name, args in calls(c) if is_call_id(name, args)] for c in smokes]
    assert len(ids[0]) == 1
    assert ids[0] != ids[1]
    assert calls(smokes[0])[-2][1]["name"] == "CAREERVP_CALL_ID"


def test_smoke_with_a_phase_runs_the_host_smoke_of_that_phase(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = recorded_run(monkeypatch)
    asyncio.run(release().smoke(env="dev", phase="12"))
    assert execs(seen[-1])[-1] == ["careervp-ci", "smoke", "--env", "dev", "--phase", "12", "--store", STORE]


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"aws_access_key_id"}, "--aws-access-key-id given, --aws-secret-access-key missing"),
        ({"aws_secret_access_key"}, "--aws-secret-access-key given, --aws-access-key-id missing"),
        ({"aws_session_token"}, "--aws-session-token given, --aws-access-key-id and --aws-secret-access-key"),
        (
            {"aws_access_key_id", "aws_session_token"},
            "--aws-access-key-id and --aws-session-token given, --aws-secret-access-key missing",
        ),
    ],
)
def test_partial_credentials_are_refused_naming_the_missing_flags_before_any_container_runs(
    monkeypatch: pytest.MonkeyPatch, given: set[str], named: str
) -> None:
    seen = recorded_run(monkeypatch)
    names = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
    secrets = dict(zip(names, aws_secrets(), strict=True))
    partial = release(**{name: secret for name, secret in secrets.items() if name in given})
    for call in (
        partial.deploy(env="dev", artifact=FAKE_DIGEST),
        partial.verify(env="dev"),
        partial.publish(artifact=FAKE_DIGEST, commit=COMMIT),
    ):
        with pytest.raises(PartialCredentials, match=f"given to `release`: {named}"):
            asyncio.run(call)
    assert seen == []


def test_without_credentials_the_calls_run_for_another_source_to_serve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = recorded_run(monkeypatch)
    asyncio.run(release().verify(env="dev"))
    secret, _ = secret_and_plain_names(seen[-1])
    assert not secret & CREDENTIALS


def test_evidence_returns_the_folder_the_command_fills_even_when_it_holds_only_a_readme(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = recorded_run(monkeypatch)
    folder: dagger.Directory = asyncio.run(release().evidence(env="dev"))
    assert calls(folder)[-1] == ("directory", {"path": EVIDENCE})
    assert execs(seen[-1])[-1] == [
        "careervp-ci", "evidence", "--env", "dev", "--out", EVIDENCE, "--store", STORE,
    ]  # fmt: skip


DRIFTED = (
    "## Drift: dev (runs `sha256:abc`)\n\n| check | status | detail |\n| --- | --- | --- |\n"
    "| stack | ✘ drift | added: Queue |\n"
)


@pytest.mark.parametrize(
    ("stdout", "returned"),
    [(DRIFTED, DRIFTED), ("", None), ("Traceback (most recent call last):\n", None)],
)
def test_drift_returns_a_drifted_environments_table_and_fails_on_anything_else(
    monkeypatch: pytest.MonkeyPatch, stdout: str, returned: str | None
) -> None:
    """The command exits 1 after printing a drifted table: the nightly's one report needs that table, so the
    call returns it; an exit without a table (credentials, a crash) fails the call, naming the command."""
    from careervp_ci.dagger_module.failures import StepFailed
    from careervp_ci.rehearsal.layers import exec_error

    async def failing(self: dagger.Container) -> dagger.Container:
        argv = execs(self)[-1]
        if "drift" not in argv:  # the toolchain builds
            return self
        raise exec_error(argv, 1, stdout, "[release] dev has drifted: stack")

    recorded_run(monkeypatch)
    monkeypatch.setattr(dagger.Container, "sync", failing)
    key_id, key, token = aws_secrets()
    credentials = {"aws_access_key_id": key_id, "aws_secret_access_key": key, "aws_session_token": token}
    if returned is not None:
        assert asyncio.run(release(**credentials).drift(env="dev")) == returned
    else:
        with pytest.raises(StepFailed, match=r"step `drift` failed in its container \(exit 1\)"):
            asyncio.run(release(**credentials).drift(env="dev"))


def test_drift_table_reports_the_given_tables_once_with_the_webhook_as_a_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from careervp_ci.dagger_module.release import DRIFT_TABLES

    seen = recorded_run(monkeypatch)
    tables = dag.host().directory("/nonexistent/drift")
    webhook = dag.set_secret("slack", "https://hooks.slack.invalid/x")
    asyncio.run(Careervp().drift_table(src=tree(), tables=tables, slack_webhook=webhook))
    assert ("withDirectory", {"path": DRIFT_TABLES, "source": tables}) in calls(seen[-1])
    assert execs(seen[-1])[-1] == ["python", "-m", "careervp_ci.release.drift_table", DRIFT_TABLES]
    assert secret_and_plain_names(seen[-1])[0] >= {"SLACK_WEBHOOK"}
