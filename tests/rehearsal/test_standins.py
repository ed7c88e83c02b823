"""Stand-ins keep the pinned actions' own rules: an input the action lacks or requires, the defaults of its
action.yml, upload-artifact skipping hidden paths unless told, an artifact's root, checkout's depth and
credentials, and the failures each action has (no files, no artifact, a name uploaded twice, SARIF runs of one
tool in one category)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs
from careervp_ci.rehearsal.facts import table
from careervp_ci.rehearsal.standins import Job, Run, StepFailed, stand_in
from support.git import git

ROOT = Path(__file__).resolve().parents[2]


def pinned(name: str) -> str:
    return f"{name}@{table()[name].sha}"


def step(name: str, run: Run, job: Job, inputs: dict[str, Any]) -> None:
    stand_in(pinned(name))(run, job, inputs)


def world(tmp_path: Path, permissions: dict[str, str] | None = None) -> tuple[Run, Job, Job]:
    run = Run(
        tmp_path / "origin",
        "sha",
        "refs/heads/main",
        "sha",
        tmp_path / "artifacts",
        tmp_path / "att",
        "0.21.11",
        {},
    )
    jobs = []
    for name in ("up", "down"):
        workspace = tmp_path / name
        workspace.mkdir()
        jobs.append(Job("w", name, workspace, {}, permissions or {}, ""))
    return run, jobs[0], jobs[1]


def reports(job: Job) -> None:
    (job.workspace / ".reports" / "coverage").mkdir(parents=True)
    (job.workspace / ".reports" / "coverage" / "coverage.xml").write_text("<coverage/>")


def test_an_upload_of_a_hidden_path_fails_by_default_naming_the_path_and_the_input(tmp_path: Path) -> None:
    """The planted defect: `path: .reports/` with upload-artifact v4.6.2's default include-hidden-files."""
    run, up, _ = world(tmp_path)
    reports(up)
    inputs = {"name": "reports-pr", "path": ".reports/", "if-no-files-found": "error"}
    with pytest.raises(StepFailed, match=r"'\.reports/'.*include-hidden-files is false.*coverage\.xml"):
        step("actions/upload-artifact", run, up, inputs)
    assert not (run.artifacts / "reports-pr").exists()


def test_the_reusable_validations_upload_of_its_reports_passes_only_with_hidden_files_included(
    tmp_path: Path,
) -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/_reusable-ci.yml").read_text(encoding="utf-8"))
    upload = next(s for s in workflow["jobs"]["validate"]["steps"] if "upload-artifact" in s.get("uses", ""))
    inputs = {**upload["with"], "name": "reports-pr"}
    run, up, _ = world(tmp_path)
    reports(up)
    stand_in(upload["uses"])(run, up, inputs)
    assert (run.artifacts / "reports-pr" / "coverage" / "coverage.xml").is_file()
    del inputs["include-hidden-files"]
    with pytest.raises(StepFailed, match="include-hidden-files is false"):
        stand_in(upload["uses"])(replace(run, artifacts=tmp_path / "again"), up, inputs)


def test_a_hidden_path_skipped_with_the_default_warn_uploads_nothing_and_goes_on(tmp_path: Path) -> None:
    run, up, _ = world(tmp_path)
    reports(up)
    step("actions/upload-artifact", run, up, {"name": "r", "path": ".reports/"})
    assert not (run.artifacts / "r").exists()


def test_a_hidden_folder_uploads_its_contents_when_told_and_downloads_under_the_path(tmp_path: Path) -> None:
    run, up, down = world(tmp_path)
    reports(up)
    inputs = {
        "name": "reports",
        "path": ".reports/",
        "include-hidden-files": True,
        "if-no-files-found": "error",
    }
    step("actions/upload-artifact", run, up, inputs)
    step("actions/download-artifact", run, down, {"name": "reports", "path": "reports"})
    assert (down.workspace / "reports" / "coverage" / "coverage.xml").read_text() == "<coverage/>"
    assert down.outputs["download-path"] == str((down.workspace / "reports").resolve())


def test_a_file_uploads_itself_and_downloads_into_the_workspace_by_default(tmp_path: Path) -> None:
    run, up, down = world(tmp_path)
    (up.workspace / "dist").mkdir()
    (up.workspace / "dist" / "release.tar").write_bytes(b"tar")
    step("actions/upload-artifact", run, up, {"name": "release", "path": "dist/release.tar"})
    step("actions/download-artifact", run, down, {"name": "release"})
    assert (down.workspace / "release.tar").read_bytes() == b"tar"


def test_a_pattern_downloads_the_artifacts_whose_name_it_matches_merged_when_told(tmp_path: Path) -> None:
    run, up, down = world(tmp_path)
    for env in ("dev", "prod"):
        (up.workspace / f"{env}.md").write_text(f"{env} table")
        step("actions/upload-artifact", run, up, {"name": f"drift-{env}", "path": f"{env}.md"})
    (up.workspace / "other.txt").write_text("not drift")
    step("actions/upload-artifact", run, up, {"name": "reports", "path": "other.txt"})
    step(
        "actions/download-artifact",
        run,
        down,
        {"pattern": "drift-*", "path": "drift", "merge-multiple": True},
    )
    assert sorted(p.name for p in (down.workspace / "drift").iterdir()) == ["dev.md", "prod.md"]
    step("actions/download-artifact", run, down, {"pattern": "drift-*", "path": "apart"})
    assert sorted(p.name for p in (down.workspace / "apart").iterdir()) == ["drift-dev", "drift-prod"]


def test_a_with_key_the_pinned_action_lacks_fails_naming_the_action_the_key_and_its_inputs(
    tmp_path: Path,
) -> None:
    run, up, _ = world(tmp_path)
    reports(up)
    inputs = {"name": "r", "path": ".reports/", "include-hidden-file": "true"}
    with pytest.raises(
        StepFailed,
        match=r"actions/upload-artifact@v4\.6\.2 has no input 'include-hidden-file'.*include-hidden-files",
    ):
        step("actions/upload-artifact", run, up, inputs)


def test_a_required_input_left_out_and_a_boolean_the_action_refuses_fail(tmp_path: Path) -> None:
    run, up, _ = world(tmp_path)
    with pytest.raises(StepFailed, match=r"required input 'path' is missing"):
        step("actions/upload-artifact", run, up, {"name": "r"})
    with pytest.raises(StepFailed, match=r"'overwrite' is 'yes'.*boolean"):
        step("actions/upload-artifact", run, up, {"path": "x", "overwrite": "yes"})


def test_a_pin_the_facts_were_not_read_at_fails_naming_the_sha_they_hold(tmp_path: Path) -> None:
    run, up, _ = world(tmp_path)
    with pytest.raises(
        StepFailed, match=r"holds actions/upload-artifact at ea165f8d.*\(v4\.6\.2\), not 0123"
    ):
        stand_in("actions/upload-artifact@0123456789abcdef0123456789abcdef01234567")(run, up, {"path": "x"})


def test_missing_files_a_name_uploaded_twice_and_missing_artifacts_fail_as_the_actions_do(
    tmp_path: Path,
) -> None:
    run, up, down = world(tmp_path)
    with pytest.raises(StepFailed, match="no files were found with the provided path 'nope'"):
        step("actions/upload-artifact", run, up, {"name": "r", "path": "nope", "if-no-files-found": "error"})
    (up.workspace / "a.txt").write_text("a")
    step("actions/upload-artifact", run, up, {"name": "r", "path": "a.txt"})
    with pytest.raises(StepFailed, match="artifact named 'r' already exists"):
        step("actions/upload-artifact", run, up, {"name": "r", "path": "a.txt"})
    with pytest.raises(StepFailed, match="Artifact 'other' not found"):
        step("actions/download-artifact", run, down, {"name": "other"})


def origin(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "origin"
    repo.mkdir()
    git(repo, "init", "--quiet", "-b", "main")
    for message in ("one", "two"):
        git(repo, "commit", "--quiet", "--allow-empty", "-m", message)
    git(repo, "tag", "v1.0.0", "HEAD~1")
    git(repo, "branch", "other")
    return repo, git(repo, "rev-parse", "HEAD")


def test_checkout_fetches_one_commit_without_tags_and_keeps_the_token_by_default(tmp_path: Path) -> None:
    _, sha = origin(tmp_path)
    run, job, _ = world(tmp_path)
    run.sha = sha
    step("actions/checkout", run, job, {})
    assert git(job.workspace, "rev-list", "--count", "HEAD") == "1"
    assert git(job.workspace, "tag") == ""
    assert git(job.workspace, "branch", "--show-current") == "main"
    assert "AUTHORIZATION" in git(job.workspace, "config", "--local", "http.https://github.com/.extraheader")
    assert job.outputs == {"ref": "refs/heads/main", "commit": sha}


def test_checkout_with_fetch_depth_0_has_every_branch_and_tag_and_no_token_when_told(tmp_path: Path) -> None:
    _, sha = origin(tmp_path)
    run, job, _ = world(tmp_path)
    run.sha = sha
    step("actions/checkout", run, job, {"fetch-depth": 0, "persist-credentials": False, "ref": "v1.0.0"})
    assert git(job.workspace, "tag") == "v1.0.0"
    assert "origin/other" in git(job.workspace, "branch", "--remotes")
    assert git(job.workspace, "rev-list", "--count", "HEAD") == "1"  # the tag is the first commit
    assert "extraheader" not in git(job.workspace, "config", "--local", "--list")


def test_checkout_with_fetch_depth_0_checks_out_the_runs_commit_when_its_branch_has_moved_on(
    tmp_path: Path,
) -> None:
    """actions/checkout's testRef: after fetching all history, a branch that no longer names the run's commit
    (a schedule or push run while main moved) is fetched again at that commit, so the job runs what the run
    started on, not the branch's newer tip."""
    repo, tip = origin(tmp_path)
    earlier = git(repo, "rev-parse", "HEAD~1")
    run, job, _ = world(tmp_path)
    run.sha = earlier
    step("actions/checkout", run, job, {"fetch-depth": 0})
    assert git(job.workspace, "rev-parse", "HEAD") == earlier != tip
    assert git(job.workspace, "branch", "--show-current") == "main"
    assert job.outputs == {"ref": "refs/heads/main", "commit": earlier}


def test_sarif_runs_of_one_tool_in_one_category_fail_as_code_scanning_refuses_them(tmp_path: Path) -> None:
    run, job, _ = world(tmp_path, {"security-events": "write"})
    folder = job.workspace / ".reports"
    folder.mkdir()
    for name in ("a.sarif", "b.sarif"):
        log = {"runs": [{"tool": {"driver": {"name": "ruff", "version": "1"}}, "results": []}]}
        (folder / name).write_text(json.dumps(log))
    with pytest.raises(StepFailed, match=r"b\.sarif and a\.sarif hold runs of the same tool \('ruff'\)"):
        step("github/codeql-action/upload-sarif", run, job, {"sarif_file": ".reports/", "category": "c"})
    (folder / "b.sarif").write_text(json.dumps({"runs": [{"tool": {"driver": {"name": "zizmor"}}}]}))
    step("github/codeql-action/upload-sarif", run, job, {"sarif_file": ".reports/", "category": "c"})
