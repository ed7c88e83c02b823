"""`change-set` and `approve --summary`: a reviewed summary is approved only while it still describes the
change; the change set made and re-read on the stack is replaced by a fixed computation (`gate.change_set`,
`gate.review_again`; the e2e tests make real ones). Approvals land in the artifact store (here the default
folder store under the state dir)."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import pytest
from careervp_ci.release import cli as release_cli
from careervp_ci.release import gate
from careervp_ci.release.approvals import ApprovalError, ChangeSummary, check_approval, summarize
from careervp_ci.release.artifact import parse_digest
from careervp_ci.release.change_review import PropertyChange, ResourceChange
from careervp_ci.release.service import Release
from careervp_ci.release.state import StateDir
from careervp_ci.release.store import FolderBackend
from support.release_cli import cli

DIGEST = "sha256:" + "ab" * 32
OTHER = "sha256:" + "cd" * 32
LIVE = {"Resources": {"B": {"Type": "Y", "Properties": {"v": 1}}, "C": {"Type": "Z"}}}


ARN = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/careervp-prod-abab/1"
TABLE_REPLACED = ResourceChange(
    id="Table",
    type="AWS::DynamoDB::Table",
    action="Modify",
    replacement="True",
    replacement_source="schema",
    because=["TableName"],
    properties=[PropertyChange(name="TableName", before='"a"', after='"b"')],
    widens=[],
)


def change(
    digest: str = DIGEST, live: dict[str, object] | None = None, resources: list[ResourceChange] | None = None
) -> ChangeSummary:
    summary = summarize(
        "prod",
        parse_digest(digest),
        "careervp-prod-service-stack",
        new={"Resources": {"A": {"Type": "X"}, "B": {"Type": "Y", "Properties": {"v": 2}}}},
        old=LIVE if live is None else live,
        baseline="",
    )
    return replace(
        summary,
        change_set_arn=ARN,
        description_sha256="d" * 64,
        stack_sha256="e" * 64,
        resources=resources or [],
    )


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StateDir:
    """Release state in tmp_path; the change made or re-read 'now' is `change()` unless a test says
    otherwise."""
    monkeypatch.setattr(gate, "change_set", lambda release, env, artifact: change(artifact))
    monkeypatch.setattr(gate, "review_again", lambda release, env, artifact, arn: change(artifact))
    return StateDir(tmp_path / "state")


def store(state: StateDir) -> FolderBackend:
    return FolderBackend(state.root / "artifacts")


def approvals(state: StateDir) -> Path:
    return state.root / "artifacts" / "approvals"


def run(state: StateDir, *argv: str) -> None:
    parser = argparse.ArgumentParser()
    release_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    release_cli.RELEASE_COMMANDS[args.command](Release(state, state.root), args)


def test_change_set_writes_the_json_and_markdown_and_approves_nothing(
    state: StateDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "review" / "change-set.json"
    run(state, "change-set", "--env", "prod", "--artifact", DIGEST, "--out", str(out))
    assert json.loads(out.read_text()) == json.loads(change().text())
    markdown = out.with_suffix(".md").read_text()
    assert "| added (1) | `A` |" in markdown and change().sha256() in markdown
    assert capsys.readouterr().out.strip() == markdown.strip()
    assert not approvals(state).exists()


def test_approve_with_the_reviewed_summary_records_an_approval_citing_it(
    state: StateDir, tmp_path: Path
) -> None:
    reviewed = tmp_path / "change-set.json"
    reviewed.write_text(change().text())
    run(state, "approve", "--env", "prod", "--artifact", DIGEST, "--summary", str(reviewed),
        "--approver", "github-environment:prod/run-7")  # fmt: skip
    record = check_approval(store(state), "prod", parse_digest(DIGEST), current="")
    assert record["approved_by"] == "github-environment:prod/run-7"
    assert record["summary_sha256"] == change().sha256()
    assert (record["change_set_arn"], record["description_sha256"]) == (ARN, "d" * 64)


def refused(state: StateDir, reviewed: Path) -> str:
    with pytest.raises(ApprovalError) as error:
        run(state, "approve", "--env", "prod", "--artifact", DIGEST, "--summary", str(reviewed))
    assert not approvals(state).exists(), "a refused summary must leave no approval behind"
    assert error.value.exit_code == 1, "a refused approval is a gate saying no, not bad usage"
    return str(error.value)


def test_approve_refuses_a_summary_made_for_another_digest(state: StateDir, tmp_path: Path) -> None:
    reviewed = tmp_path / "change-set.json"
    reviewed.write_text(change(OTHER).text())
    assert f"is for prod / {OTHER}, not prod / {DIGEST}" in refused(state, reviewed)


def test_approve_refuses_a_summary_edited_after_it_was_made(state: StateDir, tmp_path: Path) -> None:
    reviewed = tmp_path / "change-set.json"
    reviewed.write_text(replace(change(), removed=[]).text())
    message = refused(state, reviewed)
    assert "edited after it was made" in message and str(reviewed) in message


def test_approve_refuses_a_summary_whose_baseline_is_no_longer_live(state: StateDir, tmp_path: Path) -> None:
    reviewed = tmp_path / "change-set.json"
    reviewed.write_text(change(live={"Resources": {}}).text())
    message = refused(state, reviewed)
    assert "is stale: prod changed since it was made" in message
    assert change(live={"Resources": {}}).baseline_template_sha256 in message


def test_approve_refuses_a_summary_that_names_no_change_set(state: StateDir, tmp_path: Path) -> None:
    reviewed = tmp_path / "change-set.json"
    reviewed.write_text(replace(change(), change_set_arn="").text())
    assert "names no change set" in refused(state, reviewed)


def test_a_stateful_replacement_is_approved_only_when_named(
    state: StateDir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replaced = change(resources=[TABLE_REPLACED])
    monkeypatch.setattr(gate, "review_again", lambda release, env, artifact, arn: replaced)
    reviewed = tmp_path / "change-set.json"
    reviewed.write_text(replaced.text())
    message = refused(state, reviewed)
    assert "replaces stateful Table (its data would be lost)" in message
    assert "--allow-replacement Table" in message
    run(state, "approve", "--env", "prod", "--artifact", DIGEST, "--summary", str(reviewed),
        "--allow-replacement", "Table")  # fmt: skip
    record = check_approval(store(state), "prod", parse_digest(DIGEST), current="")
    assert record["allow_replacement"] == ["Table"]


def test_an_approval_edited_to_drop_its_allowed_replacement_is_refused(
    state: StateDir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replaced = change(resources=[TABLE_REPLACED])
    monkeypatch.setattr(gate, "review_again", lambda release, env, artifact, arn: replaced)
    reviewed = tmp_path / "change-set.json"
    reviewed.write_text(replaced.text())
    run(state, "approve", "--env", "prod", "--artifact", DIGEST, "--summary", str(reviewed),
        "--allow-replacement", "Table")  # fmt: skip
    approval = next(approvals(state).rglob("*.approval.json"))
    approval.write_text(approval.read_text().replace('"Table"', '"Other"'))
    with pytest.raises(ApprovalError, match="replaces stateful Table"):
        check_approval(store(state), "prod", parse_digest(DIGEST), current="")


def test_the_review_names_the_change_set_replacements_and_widening() -> None:
    widened = ResourceChange(
        id="Role", type="AWS::IAM::Policy", action="Modify", replacement="False",
        replacement_source="schema", because=[], properties=[], widens=['allows Action "*"; Resource "*"'],
    )  # fmt: skip
    summary = change(resources=[TABLE_REPLACED, widened])
    lines = "\n".join(summary.lines())
    assert f"change set: {ARN}" in lines
    assert "Modify Table (AWS::DynamoDB::Table): replacement True (TableName)" in lines
    assert 'WIDENS ACCESS Role: allows Action "*"; Resource "*"' in lines
    markdown = summary.markdown()
    assert f"| change set | `{ARN}` |" in markdown
    assert "| `Table` | AWS::DynamoDB::Table | Modify | True (schema) |" in markdown
    assert "**Widens access** Role" in markdown and "**Replaces stateful `Table`" in markdown


def test_approve_refuses_a_file_that_is_no_change_set(state: StateDir, tmp_path: Path) -> None:
    reviewed = tmp_path / "change-set.json"
    reviewed.write_text('{"env": "prod"}')
    assert "is not a change-set summary" in refused(state, reviewed)


def test_approve_without_a_summary_approves_the_change_made_now(state: StateDir) -> None:
    run(state, "approve", "--env", "prod", "--artifact", DIGEST)
    record = check_approval(store(state), "prod", parse_digest(DIGEST), current="")
    assert record["summary_sha256"] == change().sha256()


def test_change_set_markdown_of_a_file_that_is_no_change_set_is_bad_usage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAREERVP_STATE_DIR", str(tmp_path / "state"))
    bad = tmp_path / "change-set.json"
    bad.write_text('{"env": "prod"}')
    result = cli("change-set-markdown", "--summary", str(bad))
    assert result.code == 2
    assert result.err.startswith(f"careervp-ci change-set-markdown: {bad} is not a change-set summary")
    assert result.out == ""
