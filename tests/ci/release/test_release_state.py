"""The shared release state on its own: conditional creates (a folder and a real S3 endpoint), leased locks
and their takeover, the sealed ledger, the self-healing store, scratch reclaiming, and the git facts that
make a digest the commit's identity (the build's own pieces: test_release_build.py). Fast: no build, no
deploy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from careervp_ci.errors import UsageError
from careervp_ci.release.artifact import digest_of
from careervp_ci.release.emulator import EMULATOR_CREDENTIALS
from careervp_ci.release.gitref import tree_state
from careervp_ci.release.ledger import Entry, Ledger, LedgerError
from careervp_ci.release.locking import LEASE_ENV, EnvironmentBusyError, acquire, environment_lock
from careervp_ci.release.scratch import host, reclaim
from careervp_ci.release.store import Backend, FolderBackend, S3Backend, Store, object_name
from support.git import git as _git
from support.moto_server import clean_moto_server

DIGEST = "sha256:" + "ab" * 32


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with clean_moto_server() as endpoint:
        yield endpoint


@pytest.fixture(params=["folder", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "folder":
        return FolderBackend(tmp_path / "store")
    endpoint = request.getfixturevalue("s3_endpoint")
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=EMULATOR_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=EMULATOR_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    bucket = f"state-{tmp_path.name.lower().replace('_', '-')[-40:]}"
    client.create_bucket(Bucket=bucket)
    return S3Backend(bucket, "team", client)


def test_conditional_create_has_exactly_one_winner(backend: Backend) -> None:
    assert backend.create("locks/dev.json", b"first")
    assert not backend.create("locks/dev.json", b"second")
    assert backend.read("locks/dev.json") == b"first"
    assert backend.keys("locks") == ["locks/dev.json"]


def test_a_live_holder_is_refused_at_once_and_named(backend: Backend) -> None:
    with (
        environment_lock(backend, "dev", run="run-a", operation="deploy", digest=DIGEST),
        pytest.raises(EnvironmentBusyError) as busy,
    ):
        acquire(backend, "dev", run="run-b", operation="deploy", digest="", log=print)
    assert f"run run-a (deploy of {DIGEST} by pid {os.getpid()} on {host()}" in str(busy.value)
    assert backend.read("locks/dev.json") is None, "the lock outlived its holder"


def _stale(backend: Backend, **holder: object) -> None:
    record = {"run": "old-run", "operation": "deploy", "digest": DIGEST, "since": "earlier", **holder}
    assert backend.create("locks/dev.json", json.dumps(record).encode())


def test_a_lock_whose_lease_expired_is_taken_over_naming_the_old_holder(backend: Backend) -> None:
    _stale(backend, pid=1, host="another-runner", expires=time.time() - 1)
    said: list[str] = []
    lock = acquire(backend, "dev", run="new-run", operation="deploy", digest=DIGEST, log=said.append)
    assert lock.taken_over is not None and lock.taken_over["run"] == "old-run"
    assert "took over the lock of dev from run old-run" in said[0] and "lease expired" in said[0]
    assert json.loads(backend.read("locks/dev.json") or b"{}")["run"] == "new-run"


def test_a_lock_held_on_another_host_within_its_lease_is_respected(backend: Backend) -> None:
    _stale(backend, pid=1, host="another-runner", expires=time.time() + 300)
    with pytest.raises(EnvironmentBusyError, match="on another-runner"):
        acquire(backend, "dev", run="new-run", operation="deploy", digest=DIGEST, log=print)


def test_a_dead_process_on_this_host_releases_its_lock_at_once(backend: Backend) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    _stale(backend, pid=dead.pid, host=host(), expires=time.time() + 300)
    said: list[str] = []
    acquire(backend, "dev", run="new-run", operation="deploy", digest=DIGEST, log=said.append)
    assert f"its process {dead.pid} no longer runs on this host" in said[0]


def test_the_lease_must_be_a_positive_number(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(LEASE_ENV, "soon")
    with pytest.raises(UsageError, match=f"{LEASE_ENV}='soon' is not a positive number"):
        acquire(FolderBackend(tmp_path), "dev", run="r", operation="deploy", digest="", log=print)


def _entry(outcome: str, run: str = "r1") -> Entry:
    return Entry("dev", DIGEST, "c" * 40, "2026-12-01T00:00:00+00:00", outcome, "emulator", run=run)  # type: ignore[arg-type]


def test_ledger_records_are_appended_never_rewritten_and_an_edit_is_named(backend: Backend) -> None:
    ledger = Ledger(backend)
    first = ledger.record(_entry("started"))
    second = ledger.record(_entry("succeeded"))
    assert (first, second) == ("ledger/dev/00000001.json", "ledger/dev/00000002.json")
    assert [entry.outcome for entry in ledger.entries("dev")] == ["started", "succeeded"]
    record = json.loads(backend.read(first) or b"{}")
    backend.write(first, json.dumps({**record, "digest": "sha256:" + "cd" * 32}).encode())
    with pytest.raises(LedgerError, match=f"ledger record {backend.where(first)} was changed"):
        ledger.entries("dev")


def test_an_attempt_without_an_ending_is_open(backend: Backend) -> None:
    ledger = Ledger(backend)
    ledger.record(_entry("started", run="killed"))
    assert ledger.open_attempt("dev", "killed") is not None
    ledger.record(_entry("interrupted", run="killed"))
    assert ledger.open_attempt("dev", "killed") is None


def test_writing_an_artifact_over_a_corrupt_copy_replaces_it_and_records_the_event(
    backend: Backend, tmp_path: Path
) -> None:
    tar = tmp_path / "a.tar"
    tar.write_bytes(b"artifact bytes")
    digest = digest_of(tar)
    backend.write(object_name(digest), b"tampered bytes")
    store = Store(backend, tmp_path / "scratch")
    store.put(tar)
    assert backend.read(object_name(digest)) == b"artifact bytes"
    (event,) = store.events()
    assert (event["event"], event["key"]) == ("replaced-corrupt-object", object_name(digest))


def test_scratch_left_by_a_dead_process_is_reclaimed_and_a_live_ones_is_kept(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / f"artifact.{host()}.{dead.pid}.abc123").mkdir()
    (tmp_path / f"artifact.{host()}.{os.getpid()}.def456").mkdir()
    (tmp_path / f"artifact.elsewhere.{dead.pid}.ghi789").mkdir()
    assert reclaim(tmp_path) == [f"artifact.{host()}.{dead.pid}.abc123"]
    assert len(list(tmp_path.iterdir())) == 2


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("x = 1\n")
    (tmp_path / "README.md").write_text("readme\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "first")
    return tmp_path


def test_files_the_build_does_not_read_never_make_the_tree_dirty(repo: Path) -> None:
    (repo / "README.md").unlink()
    assert tree_state(repo) == (_git(repo, "rev-parse", "HEAD"), False)
    (repo / "src" / "app.py").write_text("x = 2\n")
    assert tree_state(repo)[1] is True


def test_the_emulator_command_serves_moto_on_localhost_until_stopped() -> None:
    cli = Path(sys.executable).parent / "careervp-ci"
    server = subprocess.Popen(
        [str(cli), "emulator", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline().strip()
        assert line.startswith("emulator: http://localhost:"), line
        endpoint = line.removeprefix("emulator: ")
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=EMULATOR_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=EMULATOR_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        client.create_bucket(Bucket="reachable")
        assert [b["Name"] for b in client.list_buckets()["Buckets"]] == ["reachable"]
    finally:
        server.terminate()
        assert server.wait(timeout=30) == 0


def test_the_emulator_refuses_a_port_that_is_no_port() -> None:
    cli = Path(sys.executable).parent / "careervp-ci"
    done = subprocess.run(
        [str(cli), "emulator", "--port", "70000"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and "--port 70000 is not a TCP port" in done.stderr
