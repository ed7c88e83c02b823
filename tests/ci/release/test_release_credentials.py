"""Partial AWS credentials are refused before a release command runs, naming what is missing, instead of
botocore's traceback at the first call; a credentials source that cannot be read is refused the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
from careervp_ci.release.credentials import (
    KEY_ID,
    PARTS,
    SECRET_KEY,
    SESSION_TOKEN,
    PartialCredentials,
    missing_parts,
    refuse_partial,
)
from support.release_cli import cli


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ((), ()),
        ((KEY_ID, SECRET_KEY), ()),
        ((KEY_ID, SECRET_KEY, SESSION_TOKEN), ()),
        ((KEY_ID,), (SECRET_KEY,)),
        ((SECRET_KEY,), (KEY_ID,)),
        ((SESSION_TOKEN,), (KEY_ID, SECRET_KEY)),
        ((KEY_ID, SESSION_TOKEN), (SECRET_KEY,)),
        ((SECRET_KEY, SESSION_TOKEN), (KEY_ID,)),
    ],
)
def test_a_key_id_and_its_secret_go_together_and_a_token_needs_both(
    given: tuple[str, ...], missing: tuple[str, ...]
) -> None:
    assert missing_parts(given) == missing


def test_the_refusal_names_what_was_given_and_what_is_missing_as_the_caller_spells_them() -> None:
    with pytest.raises(PartialCredentials) as refused:
        refuse_partial([SESSION_TOKEN], spell=lambda name: name.lower(), where=" to `x`")
    assert str(refused.value).startswith(
        "partial AWS credentials to `x`: aws_session_token given, aws_access_key_id and "
        "aws_secret_access_key missing;"
    )
    assert refused.value.exit_code == 2


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No AWS credentials of the host; a fresh state dir that nothing should create."""
    for name in (*PARTS, "AWS_PROFILE", "CAREERVP_ARTIFACT_STORE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CAREERVP_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec-not-real")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-not-real")
    return tmp_path / "state"


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({KEY_ID: "AKIA-NOT-REAL"}, "AWS_ACCESS_KEY_ID given, AWS_SECRET_ACCESS_KEY missing"),
        ({SECRET_KEY: "not-real", KEY_ID: ""}, "AWS_SECRET_ACCESS_KEY given, AWS_ACCESS_KEY_ID missing"),
        ({SESSION_TOKEN: "not-real"}, "AWS_SESSION_TOKEN given, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [
        ("deploy", "--env", "dev", "--artifact", "sha256:" + "ab" * 32),
        ("verify", "--env", "dev"),
        ("evidence", "--env", "dev", "--out", "evidence"),
        ("ledger", "--store", "s3://bucket/prefix"),
    ],
)
def test_the_host_cli_refuses_partial_credentials_before_running_anything(
    environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    named: str,
    command: tuple[str, ...],
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    result = cli(*command)
    assert result.code == 2
    assert f"careervp-ci {command[0]}: partial AWS credentials in the environment: {named}" in result.err
    assert "Traceback" not in result.err and "botocore" not in result.err
    assert not environment.exists(), "a refused command touched the release state"


def test_a_credentials_source_that_cannot_be_read_is_refused_naming_it(
    environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(environment.parent / "no-config"))
    result = cli("verify", "--env", "dev")
    assert result.code == 2
    assert "the AWS credentials for dev cannot be read: " in result.err
    assert "no-such-profile" in result.err and "Traceback" not in result.err
