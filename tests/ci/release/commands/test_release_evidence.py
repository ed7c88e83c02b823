"""`evidence --env E` copies the failure evidence of E's latest run; when that run left none (its deploy
succeeded and verify or smoke failed after it, or it never ended) it says so in README.txt and exits 0, so a
failed job's verdict names the step that broke, not the evidence step."""

from __future__ import annotations

from pathlib import Path

import pytest
from careervp_ci.release.commands.evidence import EVIDENCE_README
from careervp_ci.release.ledger import Entry, Ledger, Outcome
from careervp_ci.release.store import FolderBackend
from support.release_cli import cli

DIGEST = "sha256:" + "ab" * 32


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FolderBackend:
    """The default store of a fresh state dir (no AWS needed: the ledger and evidence are folders)."""
    monkeypatch.setenv("CAREERVP_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("CAREERVP_ARTIFACT_STORE", raising=False)
    return FolderBackend(tmp_path / "state" / "artifacts")


def attempt(
    store: FolderBackend, run: str, outcome: Outcome, *, evidence: dict[str, str] | None = None
) -> None:
    """A run of dev as the deploy records it: `started`, then its ending (with its evidence, if any)."""
    ledger = Ledger(store)
    entry = Entry("dev", DIGEST, "c" * 40, f"2026-01-0{run[-1]}T00:00:00+00:00", "started", "aws", run=run)
    ledger.record(entry)
    if outcome == "started":
        return
    where = ""
    for name, text in (evidence or {}).items():
        path = store.root.parent / "scratch" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        store.upload(f"runs/dev/{run}/{name}", path)
        where = store.where(f"runs/dev/{run}")
    ledger.record(Entry(**{**entry.__dict__, "outcome": outcome, "evidence": where}))


def test_a_run_whose_deploy_succeeded_has_no_evidence_and_that_is_no_failure(
    store: FolderBackend, tmp_path: Path
) -> None:
    attempt(store, "run-1", "deploy-failed", evidence={"error.txt": "old failure\n"})
    attempt(store, "run-2", "succeeded")

    result = cli("evidence", "--env", "dev", "--out", str(tmp_path / "evidence"))

    assert result.code == 0, result.err
    said = (tmp_path / "evidence" / EVIDENCE_README).read_text()
    assert said.startswith("no failure evidence for run run-2 of dev (succeeded, 2026-01-02")
    assert "its deploy succeeded, so the step that failed after it (verify, smoke, e2e) says why" in said
    assert "the latest run that left some: careervp-ci evidence --env dev --run run-1" in said
    assert result.out.strip() == said.strip()
    assert sorted(path.name for path in (tmp_path / "evidence").iterdir()) == [EVIDENCE_README]


def test_an_environment_never_deployed_gets_a_readme_saying_so(store: FolderBackend, tmp_path: Path) -> None:
    result = cli("evidence", "--env", "dev", "--out", str(tmp_path / "evidence"))
    assert result.code == 0, result.err
    assert "the ledger in " in (tmp_path / "evidence" / EVIDENCE_README).read_text()
    assert "records no run of dev" in result.out


def test_a_run_that_never_ended_says_so(store: FolderBackend, tmp_path: Path) -> None:
    attempt(store, "run-1", "started")
    result = cli("evidence", "--env", "dev", "--out", str(tmp_path / "evidence"))
    assert result.code == 0, result.err
    assert "run run-1 of dev (started, " in result.out and "it has not ended" in result.out


def test_the_latest_failed_run_has_its_evidence_copied(store: FolderBackend, tmp_path: Path) -> None:
    attempt(store, "run-1", "verify-failed", evidence={"verify.txt": "stack drifted\n", "log.txt": "log\n"})
    result = cli("evidence", "--env", "dev", "--out", str(tmp_path / "evidence"))
    assert result.code == 0, result.err
    assert "2 evidence files of run run-1 (verify-failed" in result.out
    assert (tmp_path / "evidence" / "verify.txt").read_text() == "stack drifted\n"
    assert not (tmp_path / "evidence" / EVIDENCE_README).exists()


def test_a_named_run_the_ledger_does_not_know_is_refused(store: FolderBackend, tmp_path: Path) -> None:
    attempt(store, "run-1", "succeeded")
    result = cli("evidence", "--env", "dev", "--run", "no-such-run", "--out", str(tmp_path / "evidence"))
    assert result.code == 2
    assert "run no-such-run is not in the ledger of dev" in result.err
