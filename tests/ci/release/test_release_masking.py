"""CloudFormation outputs and the AWS account id are masked in GitHub Actions logs (`::add-mask::`)."""

from __future__ import annotations

import pytest
from careervp_ci.release import masking
from careervp_ci.release.cloudformation import AwsSession, outputs
from moto import mock_aws

STACK = {
    "Outputs": [
        {"OutputKey": "ApiUrl", "OutputValue": "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/"},
        {"OutputKey": "KbTableName", "OutputValue": "careervp-prod-kb-table"},
        {"OutputKey": "Flag", "OutputValue": "1"},
    ]
}


@pytest.fixture(autouse=True)
def fresh_masks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(masking, "_announced", set())


def test_stack_outputs_are_masked_under_github_actions(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert outputs(STACK)["KbTableName"] == "careervp-prod-kb-table"
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        "::add-mask::https://abc123.execute-api.eu-west-1.amazonaws.com/prod/",
        "::add-mask::careervp-prod-kb-table",
    ]
    outputs(STACK)
    assert capsys.readouterr().out == "", "each value is announced once"


def test_nothing_is_printed_outside_github_actions(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    outputs(STACK)
    assert capsys.readouterr().out == ""


def test_the_account_id_is_masked_when_the_session_resolves_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    with mock_aws():
        account = AwsSession(region="eu-west-1").resolve_account()
    assert capsys.readouterr().out.splitlines() == [f"::add-mask::{account}"]


def test_multi_line_values_are_masked_line_by_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert masking.mask(["first-line\nsecond-line"]) == ["first-line", "second-line"]
    assert "::add-mask::second-line" in capsys.readouterr().out
