"""`change-set` and `approve --summary`: a reviewed summary is approved only while it still describes the
change; the live-stack reads are replaced by a fixed computation (`gate.change_set`). Approvals land in
the artifact store (here the default folder store under the state dir)."""

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
from careervp_ci.release.service import Release
from careervp_ci.release.state import StateDir
from careervp_ci.release.store import FolderBackend
from support.release_cli import cli

DIGEST = "sha256:" + "ab" * 32
OTHER = "sha256:" + "cd" * 32
LIVE = {"Resources": {"B": {"Type": "Y", "Properties": {"v": 1}}, "C": {"Type": "Z"}}}


def change(digest: str = DIGEST, live: dict[str, object] | None = None) -> ChangeSummary:
    return summarize(
        "prod",
        parse_digest(digest),
        "careervp-prod-service-stack",
        new={"Resources": {"A": {"Type": "X"}, "B": {"Type": "Y", "Properties": {"v": 2}}}},
        old=LIVE if live is None else live,
        baseline="",
    )


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StateDir:
    """Release state in tmp_path; the change computed 'now' is `change()` unless a test says otherwise."""
    monkeypatch.setattr(gate, "change_set", lambda release, env, artifact: change(artifact))
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
