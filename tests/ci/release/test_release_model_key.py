"""The model API key on the release path: a deploy needs it where the real model is called (AWS), stores it
in the secret the functions read (created once, updated only when it changed, never printed), and an
emulator's served API reads it back from there, with the Messages-API stand-in as the model."""

from __future__ import annotations

from pathlib import Path

import pytest
from careervp_ci.release.cloudformation import AwsSession
from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.errors import ReleaseRefused
from careervp_ci.release.state import StateDir
from careervp_ci.release.target_secrets import model_key_on, store_model_key
from careervp_ci.release.targets import MODEL_KEY_SECRET, Target
from moto import mock_aws

SECRET_NAME = "careervp-dev-generation-anthropic-api-key"


def target(kind: str = "aws", endpoint: str | None = None) -> Target:
    return Target(
        name="dev",
        kind=kind,  # type: ignore[arg-type]
        stack_env="dev",
        region="us-east-1",
        endpoint=endpoint,
        promote_from=None,
        requires_approval=False,
        protected=False,
    )


@pytest.fixture
def release(tmp_path: Path) -> ReleaseContext:
    lines: list[str] = []
    return ReleaseContext(state=StateDir(tmp_path / "state"), repo=tmp_path, log=lines.append)


def test_a_deploy_to_aws_without_the_model_key_is_refused_naming_it(
    release: ReleaseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec-not-real")
    monkeypatch.delenv(MODEL_KEY_SECRET, raising=False)

    with pytest.raises(ReleaseRefused, match="missing secret ANTHROPIC_API_KEY for dev"):
        release.require_secrets(target(), deploying=True)
    assert release.require_secrets(target()) == {"STRIPE_WEBHOOK_SECRET": "whsec-not-real"}  # smoke: no key


@pytest.mark.parametrize("endpoint", [None, "http://localhost:1"], ids=["ephemeral", "running"])
def test_an_emulator_deploy_needs_no_model_key(
    release: ReleaseContext, monkeypatch: pytest.MonkeyPatch, endpoint: str | None
) -> None:
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec-not-real")
    monkeypatch.delenv(MODEL_KEY_SECRET, raising=False)
    emulator = target("emulator", endpoint=endpoint)
    monkeypatch.setattr(release, "require_credentials", lambda _: None)

    assert release.require_secrets(emulator, deploying=True)[MODEL_KEY_SECRET] == ""
    monkeypatch.setenv(MODEL_KEY_SECRET, "sk-ant-given")
    assert release.require_secrets(emulator, deploying=True)[MODEL_KEY_SECRET] == "sk-ant-given"


def test_without_a_given_key_an_emulator_keeps_its_key_or_gets_a_throwaway(release: ReleaseContext) -> None:
    with mock_aws():
        session = AwsSession(region="us-east-1")
        secrets = session.client("secretsmanager")
        store_model_key(target("emulator"), session, "", release.log)
        throwaway = secrets.get_secret_value(SecretId=SECRET_NAME)["SecretString"]
        store_model_key(target("emulator"), session, "", release.log)

        assert throwaway and secrets.get_secret_value(SecretId=SECRET_NAME)["SecretString"] == throwaway
    assert release.lines[-1].endswith(
        f"model API key in {SECRET_NAME} kept (none given; an emulator calls no real model)"
    )


def test_the_deploy_stores_the_key_once_updates_it_when_changed_and_never_prints_it(
    release: ReleaseContext,
) -> None:
    with mock_aws():
        session = AwsSession(region="us-east-1")
        secrets = session.client("secretsmanager")

        store_model_key(target(), session, "sk-ant-first-not-real", release.log)
        store_model_key(target(), session, "sk-ant-first-not-real", release.log)
        store_model_key(target(), session, "sk-ant-second-not-real", release.log)

        assert secrets.get_secret_value(SecretId=SECRET_NAME)["SecretString"] == "sk-ant-second-not-real"
        assert len(secrets.list_secret_version_ids(SecretId=SECRET_NAME)["Versions"]) == 2
    assert [line.split(" ", 1)[1] for line in release.lines] == [
        f"model API key stored in the new secret {SECRET_NAME}",
        f"model API key in {SECRET_NAME} is current",
        f"model API key updated in {SECRET_NAME}",
    ]
    assert not any("not-real" in line for line in release.lines)


def test_an_emulators_served_api_reads_the_key_by_arn_as_deployed(release: ReleaseContext) -> None:
    with mock_aws():
        session = AwsSession(region="us-east-1")
        assert model_key_on(target("emulator"), session, release.log) == ({}, None)
        store_model_key(target("emulator"), session, "sk-ant-emulator-not-real", release.log)

        env, key = model_key_on(target("emulator"), session, release.log)

    assert key == "sk-ant-emulator-not-real"
    assert list(env) == ["ANTHROPIC_API_KEY_ARN"]
    assert f":secret:{SECRET_NAME}-" in env["ANTHROPIC_API_KEY_ARN"]
