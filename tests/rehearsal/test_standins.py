"""Stand-ins keep the actions' own rules: an artifact holds files relative to the uploaded paths' common
ancestor (a folder's contents, a file itself), and a missing artifact or file fails as the action fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from careervp_ci.rehearsal.standins import Job, Run, StepFailed, stand_in


def world(tmp_path: Path) -> tuple[Run, Job, Job]:
    run = Run(
        tmp_path, "sha", "refs/heads/main", "sha", tmp_path / "artifacts", tmp_path / "att", "0.21.11", {}
    )
    jobs = []
    for name in ("up", "down"):
        workspace = tmp_path / name
        workspace.mkdir()
        jobs.append(Job("w", name, workspace, {}, {}, ""))
    return run, jobs[0], jobs[1]


def test_a_folder_uploads_its_contents_and_downloads_under_the_given_path(tmp_path: Path) -> None:
    run, up, down = world(tmp_path)
    (up.workspace / ".reports" / "coverage").mkdir(parents=True)
    (up.workspace / ".reports" / "coverage" / "coverage.xml").write_text("<coverage/>")
    stand_in("actions/upload-artifact@x")(run, up, {"name": "reports", "path": ".reports/"})
    stand_in("actions/download-artifact@x")(run, down, {"name": "reports", "path": "reports"})
    assert (down.workspace / "reports" / "coverage" / "coverage.xml").read_text() == "<coverage/>"


def test_a_file_uploads_itself(tmp_path: Path) -> None:
    run, up, down = world(tmp_path)
    (up.workspace / "dist").mkdir()
    (up.workspace / "dist" / "release.tar").write_bytes(b"tar")
    stand_in("actions/upload-artifact@x")(run, up, {"name": "release", "path": "dist/release.tar"})
    stand_in("actions/download-artifact@x")(run, down, {"name": "release", "path": "dist"})
    assert (down.workspace / "dist" / "release.tar").read_bytes() == b"tar"


def test_missing_files_and_artifacts_fail_as_the_actions_do(tmp_path: Path) -> None:
    run, up, down = world(tmp_path)
    with pytest.raises(StepFailed, match="no files found"):
        stand_in("actions/upload-artifact@x")(
            run, up, {"name": "r", "path": "nope", "if-no-files-found": "error"}
        )
    with pytest.raises(StepFailed, match="no artifact named 'r'"):
        stand_in("actions/download-artifact@x")(run, down, {"name": "r"})
