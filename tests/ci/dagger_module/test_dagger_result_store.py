"""The step-result store on the Dagger path: what a job's container is given (the store, its namespace, the
write permission only when trusted, the store's credentials only as secrets under names no step reads), the
toolchain digest that keeps results from crossing toolchains, how `ci` reports the steps taken from the store
and the entries it refused, and the host side a job runs: its credentials taken out of the environment, a
real S3 round trip against moto, a planted corrupt entry refused and reported."""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import boto3
import pytest
from careervp_ci.dagger_module import jobs as dagger_jobs
from careervp_ci.dagger_module.failures import StepFailed
from careervp_ci.dagger_module.main import Careervp
from careervp_ci.dagger_module.plan import Job, Jobs, request_jobs
from careervp_ci.dagger_module.result_store import (
    LOCAL_CACHE,
    ResultStore,
    refusals,
    steps_from_store,
    taken_from_store,
    toolchain_digest,
)
from careervp_ci.host.cache import ResultCache, material_key
from careervp_ci.host.progress import PlainProgress
from careervp_ci.host.shared_cache import (
    CREDENTIAL_PREFIX,
    NAMESPACE_ENV,
    REFUSED,
    SHARED_ENV,
    WRITE_ENV,
    SharedResults,
    shared_from_env,
)
from careervp_ci.pipeline.resolve import Request
from careervp_ci.pipeline.steps.context import Status
from careervp_ci.release.store import FolderBackend
from support.dagger_recipes import aws_secrets, calls, execs, recorded_run, secret_and_plain_names, tree
from support.moto_server import clean_moto_server

S3_STORE = "s3://careervp-artifacts/releases"
MATERIAL = '{"inputs": []}'
KEY = material_key(MATERIAL)


def lint_job() -> Job:
    (job,) = [job for job in request_jobs(Request("pr")).jobs if job.step == "lint"]
    return job


def job_container(monkeypatch: pytest.MonkeyPatch, store: ResultStore | None, job: Job | None = None) -> Any:
    seen = recorded_run(monkeypatch)
    asyncio.run(
        dagger_jobs.run_job(tree(), job or lint_job(), {}, seed=None, base_ref=None, git=tree(), store=store)
    )
    return seen[-1]


def plain_env(container: Any) -> dict[str, str]:
    return {args["name"]: args["value"] for name, args in calls(container) if name == "withEnvVariable"}


def test_without_a_store_a_job_runs_its_step_with_no_cache_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    container = job_container(monkeypatch, None)
    assert execs(container)[-1][-1] == "--no-cache"
    assert SHARED_ENV not in plain_env(container)


def test_a_job_reads_the_store_with_the_hosts_cache_and_writes_only_when_trusted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    untrusted = job_container(monkeypatch, ResultStore.named("/results", writable=False))
    assert execs(untrusted)[-1] == ["careervp-ci", "ci", "--profile", "pr", "--only", "lint"]
    env = plain_env(untrusted)
    assert env[SHARED_ENV] == "/results"
    assert env["CAREERVP_CACHE_DIR"] == LOCAL_CACHE
    assert env[NAMESPACE_ENV].startswith("toolchain-")
    assert WRITE_ENV not in env
    trusted = job_container(monkeypatch, ResultStore.named("/results", writable=True))
    assert plain_env(trusted)[WRITE_ENV] == "trusted"


def test_the_stores_credentials_are_secrets_no_step_can_read_as_aws_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key_id, secret, token = aws_secrets()
    store = ResultStore.named(
        S3_STORE,
        writable=True,
        access_key_id=key_id,
        secret_access_key=secret,
        session_token=token,
        region="eu-west-1",
    )
    secret_names, plain_names = secret_and_plain_names(job_container(monkeypatch, store))
    prefixed = {CREDENTIAL_PREFIX + name for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    assert prefixed | {CREDENTIAL_PREFIX + "AWS_SESSION_TOKEN"} == secret_names
    assert CREDENTIAL_PREFIX + "AWS_REGION" in plain_names
    assert not {name for name in secret_names | plain_names if name.startswith("AWS_")}


def test_a_half_named_store_is_refused_naming_what_is_missing() -> None:
    with pytest.raises(StepFailed, match="--write-results needs --result-store"):
        ResultStore.named("", writable=True)
    key_id, _, _ = aws_secrets()
    with pytest.raises(StepFailed, match="both --aws-access-key-id and --aws-secret-access-key"):
        ResultStore.named(S3_STORE, writable=False, access_key_id=key_id)
    with pytest.raises(StepFailed, match="names no bucket"):
        ResultStore.named("s3:///prefix", writable=False)
    assert ResultStore.named("  ", writable=False) is None


def test_the_toolchain_digest_moves_with_a_lockfile_and_the_system_packages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    digests = {"uv.lock": "sha256:" + "1" * 64}

    class Tree:
        def file(self, name: str) -> Any:
            class File:
                async def digest(self) -> str:
                    return digests.get(name, "sha256:" + "0" * 64)

            return File()

    def digest(**flags: bool) -> str:
        return asyncio.run(toolchain_digest(Tree(), **flags))  # type: ignore[arg-type]

    plain = digest(browser=False, git=False)
    assert digest(browser=False, git=False) == plain
    assert digest(browser=True, git=False) != plain
    assert digest(browser=False, git=True) != plain
    digests["package-lock.json"] = "sha256:" + "2" * 64
    assert digest(browser=False, git=False) != plain


def cached_line(step: str) -> str:
    """The line the host's own plain progress prints for a pass taken from the cache."""
    stream = io.StringIO()
    PlainProgress(stream).finished(step, Status.CACHED, 0.2, "no finding")
    return stream.getvalue()


def listing(*jobs: Job) -> str:
    return json.dumps(asdict(Jobs("pr", jobs)))


class Listed:
    """A stand-in setup container whose `dagger_module.plan` output is the listing."""

    def __init__(self, text: str) -> None:
        self.text = text

    def with_exec(self, _argv: list[str]) -> Listed:
        return self

    async def stdout(self) -> str:
        return self.text


class Finished:
    """A finished job's container: what its `careervp-ci ci --only STEP` printed."""

    def __init__(self, stdout: str, stderr: str) -> None:
        self.out, self.err = stdout, stderr

    async def stdout(self) -> str:
        return self.out

    async def stderr(self) -> str:
        return self.err


def test_ci_reports_the_steps_taken_from_the_store_and_the_entries_it_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outputs = {
        "lint": (cached_line("lint"), ""),
        "typecheck": ("✔ typecheck passed (3.0s) clean\n", f"{REFUSED} the entry 0123: its bytes ...\n"),
    }

    async def run_job(src: Any, job: Job, *_: object, store: ResultStore | None, **__: object) -> Any:
        assert store is not None and store.uri == "/results"
        return Finished(*outputs[job.step])

    async def base(src: Any) -> Any:
        return Listed(listing(Job("lint"), Job("typecheck")))

    monkeypatch.setattr(dagger_jobs, "base", base)
    monkeypatch.setattr(dagger_jobs, "run_job", run_job)
    summary: str = asyncio.run(Careervp().ci(src=tree(), git=tree(), profile="pr", result_store="/results"))
    assert steps_from_store(summary) == ["lint"]
    assert "passed" in next(line for line in summary.splitlines() if line.endswith(" typecheck"))
    assert f"  note: typecheck: {REFUSED} the entry 0123" in summary
    assert summary.splitlines()[-1] == "verdict: passed"


def test_no_step_is_from_the_store_without_the_hosts_cached_line() -> None:
    assert not taken_from_store("lint", "✔ lint passed (1.0s) clean\n")
    assert not taken_from_store("lint", cached_line("lint-docs"))
    assert steps_from_store("dagger call ci --profile pr\n  passed               lint\nverdict: passed") == []


# --- the host side a job runs ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto() -> Iterator[str]:
    with clean_moto_server() as endpoint:
        yield endpoint


def entry(tmp_path: Path) -> Path:
    cache = ResultCache(tmp_path / "made")
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "junit.xml").write_text("<testsuite/>", encoding="utf-8")
    return cache.store(KEY, "passed", [], reports, {}, material=MATERIAL)


def test_a_job_reaches_an_s3_store_with_its_own_credentials_which_no_step_inherits(
    tmp_path: Path, moto: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    boto3.client(
        "s3", endpoint_url=moto, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    ).create_bucket(Bucket="careervp-artifacts")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    environment: Mapping[str, str] = {
        SHARED_ENV: S3_STORE,
        WRITE_ENV: "trusted",
        NAMESPACE_ENV: "toolchain-test",
        "AWS_ENDPOINT_URL": moto,
        CREDENTIAL_PREFIX + "AWS_ACCESS_KEY_ID": "store-key-id",
        CREDENTIAL_PREFIX + "AWS_SECRET_ACCESS_KEY": "store-secret",
        CREDENTIAL_PREFIX + "AWS_REGION": "us-east-1",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    shared = shared_from_env(tmp_path)
    assert shared is not None and shared.writable
    assert not [name for name in os.environ if name.startswith(CREDENTIAL_PREFIX + "AWS")]
    assert shared.publish(KEY, entry(tmp_path))
    assert shared.backend.read("results/toolchain-test/" + KEY + ".tar") is not None
    fresh = ResultCache(tmp_path / "runner")
    fresh.root.mkdir()
    assert shared.fetch(KEY, MATERIAL, fresh)
    assert (fresh.root / (KEY) / "reports" / "junit.xml").read_text(encoding="utf-8") == "<testsuite/>"


def test_a_planted_corrupt_entry_is_refused_and_reported_in_a_line_the_job_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = SharedResults(FolderBackend((tmp_path / "store").resolve()), writable=True, namespace="t")
    assert shared.publish(KEY, entry(tmp_path))
    planted = tmp_path / "store" / "results" / "t" / (KEY + ".tar")
    planted.write_bytes(planted.read_bytes().replace(b"<testsuite/>", b"<testsuit/>X"))
    fresh = ResultCache(tmp_path / "runner")
    fresh.root.mkdir()
    assert not shared.fetch(KEY, MATERIAL, fresh)
    assert not (fresh.root / (KEY)).exists()
    (refused,) = refusals(capsys.readouterr().err)
    assert "do not hash to the sha256 stored beside it; the step runs" in refused


def test_an_entry_for_other_inputs_is_refused_and_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = SharedResults(FolderBackend((tmp_path / "store").resolve()), writable=True, namespace="t")
    assert shared.publish(KEY, entry(tmp_path))
    fresh = ResultCache(tmp_path / "runner")
    fresh.root.mkdir()
    assert not shared.fetch(KEY, "other material", fresh)
    (refused,) = refusals(capsys.readouterr().err)
    assert "key material is not this step's" in refused


def test_an_unreachable_store_is_no_result_and_never_a_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv(SHARED_ENV, S3_STORE)
    monkeypatch.setenv(CREDENTIAL_PREFIX + "AWS_ACCESS_KEY_ID", "id")
    monkeypatch.setenv(CREDENTIAL_PREFIX + "AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv(CREDENTIAL_PREFIX + "AWS_REGION", "us-east-1")
    monkeypatch.delenv(WRITE_ENV, raising=False)
    shared = shared_from_env(tmp_path)
    assert shared is not None
    fresh = ResultCache(tmp_path / "runner")
    fresh.root.mkdir()
    assert not shared.fetch(KEY, MATERIAL, fresh)
    (refused,) = refusals(capsys.readouterr().err)
    assert "the store cannot be read" in refused


def test_the_summary_line_names_a_step_taken_from_the_store() -> None:
    summary = dagger_jobs.ci_summary("pr", [Job("lint"), Job("coverage", ("unit",))], {"lint": "from store"})
    assert steps_from_store(summary) == ["lint"]


def test_two_runners_publishing_one_key_at_once_leave_one_consistent_entry(tmp_path: Path) -> None:
    backend = FolderBackend((tmp_path / "store").resolve())
    first = SharedResults(backend, writable=True, namespace="t")
    second = SharedResults(backend, writable=True, namespace="t")
    made = entry(tmp_path)
    other = tmp_path / "other"
    shutil.copytree(made, other)
    (other / "reports" / "junit.xml").write_text("<testsuite time='2'/>", encoding="utf-8")
    backend.create(f"results/t/{KEY}.tar", b"")  # the first runner's tar landed, its digest not yet
    assert not second.publish(KEY, other), "the second runner leaves the key to the one that created it"
    backend.delete(f"results/t/{KEY}.tar")
    assert first.publish(KEY, made)
    fresh = ResultCache(tmp_path / "runner")
    fresh.root.mkdir()
    assert first.fetch(KEY, MATERIAL, fresh)
