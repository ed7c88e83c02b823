"""Two clones racing for one environment, and a deploy killed mid-flight, with the release state in an
S3 store (`s3://…` on the moto server, whose conditional writes are real: a second `If-None-Match: *`
create fails). Every command is a real `careervp-ci` process in its own fresh clone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from careervp_ci.release.emulator import EMULATOR_CREDENTIALS
from support.release_cli import (
    CLI,
    REPO,
    Built,
    Result,
    fresh_clone,
    process_env,
    run_cli,
    write_emulator_targets,
)

pytestmark = pytest.mark.slow
SECRET = "test-webhook-secret-race_" + "3" * 24
BUCKET = "release-state"


@dataclass(frozen=True)
class Racers:
    a: Path
    b: Path
    env: dict[str, str]
    store: str


@pytest.fixture(scope="module")
def racers(tmp_path_factory: pytest.TempPathFactory, emulator: str, built: Built) -> Racers:
    root = tmp_path_factory.mktemp("race")
    targets = write_emulator_targets(root / "targets.toml", emulator, ("dev",))
    credentials = EMULATOR_CREDENTIALS
    boto3.client(
        "s3",
        endpoint_url=emulator,
        region_name="us-east-1",
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
    ).create_bucket(Bucket=BUCKET)
    store = f"s3://{BUCKET}/team"
    env = process_env(
        CAREERVP_TARGETS=str(targets),
        CAREERVP_ARTIFACT_STORE=store,
        AWS_ENDPOINT_URL_S3=emulator,
        AWS_DEFAULT_REGION="us-east-1",
        STRIPE_WEBHOOK_SECRET=SECRET,
        **credentials,
    )
    published = run_cli(built.clone, env, "publish", "--artifact", built.digest)
    assert published.code == 0, published.err
    b = fresh_clone(REPO, root / "b" / "repo", built.commit)
    return Racers(built.clone, b, env, store)


def deploy(clone: Path, env: dict[str, str], digest: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(CLI), "deploy", "--env", "dev", "--artifact", digest],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def ledger(racers: Racers) -> list[dict[str, str]]:
    shown = run_cli(racers.a, racers.env, "ledger", "--env", "dev", "--json")
    assert shown.code == 0, shown.err
    entries: list[dict[str, str]] = json.loads(shown.out)["entries"]
    return entries


def test_two_deploys_started_at_once_from_two_clones_one_deploys_the_other_is_refused_naming_it(
    built: Built, racers: Racers
) -> None:
    started = time.monotonic()
    first, second = deploy(racers.a, racers.env, built.digest), deploy(racers.b, racers.env, built.digest)
    results: dict[int, tuple[Result, float]] = {}

    def finish(process: subprocess.Popen[str]) -> None:
        out, err = process.communicate(timeout=600)
        results[process.pid] = (Result(process.returncode, out, err), time.monotonic() - started)

    waiters = [threading.Thread(target=finish, args=(process,)) for process in (first, second)]
    for waiter in waiters:
        waiter.start()
    for waiter in waiters:
        waiter.join()
    codes = sorted(result.code for result, _ in results.values())
    assert codes == [0, 1], {pid: result.err[-1500:] for pid, (result, _) in results.items()}
    (winner,) = [pid for pid, (result, _) in results.items() if result.code == 0]
    (loser,) = [pid for pid, (result, _) in results.items() if result.code == 1]
    refusal, refused_after = results[loser]
    assert "environment 'dev' is busy: run " in refusal.err
    assert f"by pid {winner} on " in refusal.err and built.digest in refusal.err
    assert f"s3://{BUCKET}/team/locks/dev.json" in refusal.err
    assert refused_after < results[winner][1], "the loser must be refused at once, not after waiting"
    runs = {entry["run"] for entry in ledger(racers) if entry["outcome"] == "started"}
    assert len(runs) >= 1 and all(entry["host"] for entry in ledger(racers))
    assert [entry["outcome"] for entry in ledger(racers)][-2:] == ["started", "succeeded"]


def test_a_deploy_killed_with_sigkill_is_recovered_at_once_by_the_rerun_and_recorded_as_interrupted(
    built: Built, racers: Racers
) -> None:
    victim = deploy(racers.a, racers.env, built.digest)
    assert victim.stderr is not None
    deadline = time.monotonic() + 300
    for line in victim.stderr:
        if "deploying sha256:" in line or time.monotonic() > deadline:
            break
    time.sleep(0.5)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    killed_run = next(entry["run"] for entry in reversed(ledger(racers)) if entry["outcome"] == "started")

    rerun = run_cli(racers.b, racers.env, "deploy", "--env", "dev", "--artifact", built.digest)

    assert rerun.code == 0, rerun.err[-3000:]
    assert f"took over the lock of dev from run {killed_run}" in rerun.err
    assert f"its process {victim.pid} no longer runs on this host" in rerun.err
    attempts = [entry for entry in ledger(racers) if entry["run"] == killed_run]
    assert [entry["outcome"] for entry in attempts] == ["started", "interrupted"]
    assert f"pid {victim.pid}" in attempts[-1]["detail"]
    assert ledger(racers)[-1]["outcome"] == "succeeded"
