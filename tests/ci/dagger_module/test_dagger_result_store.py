"""The step-result store on the Dagger path: kept out of the container that runs a job's step (the same with
a store or without), read by a probe (read-only; a hit is the job's container, a miss runs the step) and
written by a publish after a trusted pass only; the store's credentials only as secrets under names no step
reads, and only in those two execs; the toolchain digest that keeps results from crossing toolchains; how
`ci` reports the steps taken from the store and the entries it refused; and the host side a job runs: its
credentials taken out of the environment, a real S3 round trip against moto, a planted corrupt entry refused
and reported."""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import boto3
import dagger
import pytest
from careervp_ci.dagger_module import jobs as dagger_jobs
from careervp_ci.dagger_module.failures import StepFailed
from careervp_ci.dagger_module.jobs import JobRun
from careervp_ci.dagger_module.main import Careervp
from careervp_ci.dagger_module.plan import Job, Jobs, request_jobs
from careervp_ci.dagger_module.result_store import (
    ENGINE_MOUNT,
    ENGINE_VOLUME,
    LOCAL_CACHE,
    ResultStore,
    refusals,
    steps_from_store,
    taken_from_store,
    toolchain_digest,
)
from careervp_ci.host.cache import FROM_CACHE_ONLY, ResultCache, material_key
from careervp_ci.host.cli import build_parser
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
from careervp_ci.rehearsal.layers import exec_error
from careervp_ci.release.store import FolderBackend
from support.dagger_recipes import (
    aws_secrets,
    cache_keys,
    calls,
    execs,
    recorded_run,
    secret_and_plain_names,
    tree,
)
from support.moto_server import clean_moto_server

S3_STORE = "s3://careervp-artifacts/releases"
MATERIAL = '{"inputs": []}'
KEY = material_key(MATERIAL)


def lint_job() -> Job:
    (job,) = [job for job in request_jobs(Request("pr")).jobs if job.step == "lint"]
    return job


def run_job(
    monkeypatch: pytest.MonkeyPatch,
    store: ResultStore | None,
    job: Job | None = None,
    output: str = "done",
    **stubs: Callable[..., Any],
) -> tuple[JobRun, list[dagger.Container]]:
    """The job run (no engine; every exec prints `output`, `stubs` replace the container's other calls), and
    the containers that ran the host's `ci` in the order they ran: the probe, the run, the publish."""
    seen = recorded_run(monkeypatch, output)
    for name, stub in stubs.items():
        monkeypatch.setattr(dagger.Container, name, stub)
    job = job or lint_job()
    handed = {need: dagger.dag.container() for need in job.given}
    done = asyncio.run(
        dagger_jobs.run_job(tree(), job, handed, seed=None, base_ref=None, git=tree(), store=store)
    )
    return done, [container for container in seen if execs(container)[-1][0] == "careervp-ci"]


def plain_env(container: Any) -> dict[str, str]:
    return {args["name"]: args["value"] for name, args in calls(container) if name == "withEnvVariable"}


LINT = ["careervp-ci", "ci", "--profile", "pr", "--only", "lint"]


def test_a_jobs_step_container_is_the_same_with_a_store_or_without(monkeypatch: pytest.MonkeyPatch) -> None:
    """So a run without a store (the laptop's `dagger call ci --src .`) reuses the engine's run of the step
    with one (main's validation), and the other way round."""
    without, (alone,) = run_job(monkeypatch, None)
    assert without.container is alone and not without.from_store
    assert execs(alone)[-1] == LINT
    assert plain_env(alone)["CAREERVP_CACHE_DIR"] == LOCAL_CACHE
    assert plain_env(alone)["CAREERVP_CACHE_DISCARDED"] == "1", "no step records state for a later run"
    assert SHARED_ENV not in plain_env(alone)
    for writable in (False, True):
        stored, _ = run_job(monkeypatch, ResultStore.named("/results", writable=writable))
        assert calls(stored.container) == calls(alone)


def test_a_probe_hit_is_the_jobs_container_and_runs_no_step(monkeypatch: pytest.MonkeyPatch) -> None:
    hit, (probe,) = run_job(
        monkeypatch, ResultStore.named("/results", writable=True), output=cached_line("lint")
    )
    assert hit.from_store and hit.container is probe
    assert execs(probe)[-1] == [*LINT, FROM_CACHE_ONLY]
    env = plain_env(probe)
    assert env[SHARED_ENV] == "/results"
    assert env["CAREERVP_CACHE_DIR"] == LOCAL_CACHE
    assert env[NAMESPACE_ENV].startswith("toolchain-")
    assert WRITE_ENV not in env, "a probe reads the store, even on a trusted run"


def test_a_miss_runs_the_no_store_container_and_a_trusted_run_publishes_on_top_of_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, (alone,) = run_job(monkeypatch, None)
    miss, (probe, ran, published) = run_job(monkeypatch, ResultStore.named("/results", writable=True))
    assert not miss.from_store and miss.container is ran
    assert execs(probe)[-1] == [*LINT, FROM_CACHE_ONLY] and WRITE_ENV not in plain_env(probe)
    assert calls(ran) == calls(alone)
    assert calls(published)[: len(calls(ran))] == calls(ran), "the publish reads the run's local cache"
    assert execs(published)[-1] == [*LINT, FROM_CACHE_ONLY]
    assert plain_env(published)[WRITE_ENV] == "trusted"


def test_the_engine_store_is_a_cache_volume_of_the_probe_and_the_publish_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`--result-store engine` (a laptop's edit loop): the engine's own volume, read by the probe and written
    by every run's publish; the step's container is still the one a run without a store uses."""
    _, (alone,) = run_job(monkeypatch, None)
    miss, (probe, ran, published) = run_job(monkeypatch, ResultStore.named("engine", writable=False))
    assert not miss.from_store and calls(ran) == calls(alone)
    for container in (probe, published):
        assert cache_keys(container)[ENGINE_MOUNT] == ENGINE_VOLUME
        assert plain_env(container)[SHARED_ENV] == ENGINE_MOUNT
    assert WRITE_ENV not in plain_env(probe)
    assert plain_env(published)[WRITE_ENV] == "trusted", "every call on the engine writes its own store"
    assert ENGINE_MOUNT not in cache_keys(ran)


def test_the_engine_store_takes_no_s3_credentials() -> None:
    key_id, secret, _ = aws_secrets()
    with pytest.raises(StepFailed, match="engine's own cache volume: the --aws-\\* arguments"):
        ResultStore.named("engine", writable=False, access_key_id=key_id, secret_access_key=secret)
    with pytest.raises(StepFailed, match="engine's own cache volume"):
        ResultStore.named("engine", writable=False, region="eu-west-1")


def test_an_untrusted_run_never_publishes(monkeypatch: pytest.MonkeyPatch) -> None:
    miss, ran = run_job(monkeypatch, ResultStore.named("/results", writable=False))
    assert [execs(container)[-1] for container in ran] == [[*LINT, FROM_CACHE_ONLY], LINT]
    assert not [container for container in ran if WRITE_ENV in plain_env(container)]
    assert miss.container is ran[-1]


def test_a_job_handed_its_needs_is_neither_probed_nor_published(monkeypatch: pytest.MonkeyPatch) -> None:
    """The host never caches a step fed by given steps, so the store has nothing to offer it or take."""
    (coverage,) = [job for job in request_jobs(Request("pr")).jobs if job.step == "coverage"]
    _, (alone,) = run_job(monkeypatch, None, coverage)
    stored, ran = run_job(monkeypatch, ResultStore.named("/results", writable=True), coverage)
    assert ran == [stored.container]
    assert calls(stored.container) == calls(alone)


def test_the_probes_refusals_are_notes_and_the_step_then_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    refused = f"{REFUSED} the entry 0123: its bytes do not hash to the sha256 stored beside it; the step runs"

    async def stderr(self: dagger.Container) -> str:
        return refused + "\n" if execs(self)[-1][-1] == FROM_CACHE_ONLY else ""

    done, _ = run_job(monkeypatch, ResultStore.named("/results", writable=False), stderr=stderr)
    assert done.notes == (refused,)
    assert execs(done.container)[-1] == LINT and not done.from_store


def test_a_failing_probe_or_publish_is_a_note_never_the_steps_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def sync(self: dagger.Container) -> dagger.Container:
        if (argv := execs(self)[-1])[-1] == FROM_CACHE_ONLY:
            raise exec_error(argv, 2, "", "careervp-ci: the store is misconfigured")
        return self

    done, _ = run_job(monkeypatch, ResultStore.named("/results", writable=True), sync=sync)
    assert execs(done.container)[-1] == LINT
    assert done.notes == (
        "result store: the probe exited 2; the step runs",
        "result store: the publish exited 2; the pass stands, unpublished",
    )


def test_the_probe_is_a_command_the_hosts_ci_takes() -> None:
    parser, _ = build_parser(with_release=False)
    args = parser.parse_args([*LINT[1:], FROM_CACHE_ONLY])
    assert args.from_cache_only and args.only == ["lint"] and not args.no_cache


def test_the_stores_credentials_reach_only_the_probe_and_the_publish_as_secrets_no_step_reads(
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
    _, (probe, ran, published) = run_job(monkeypatch, store)
    prefixed = {CREDENTIAL_PREFIX + name for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    for container in (probe, published):
        secret_names, plain_names = secret_and_plain_names(container)
        assert prefixed | {CREDENTIAL_PREFIX + "AWS_SESSION_TOKEN"} == secret_names
        assert CREDENTIAL_PREFIX + "AWS_REGION" in plain_names
        assert not {name for name in secret_names | plain_names if name.startswith("AWS_")}
    secret_names, plain_names = secret_and_plain_names(ran)
    assert not {name for name in secret_names | plain_names if name.startswith(CREDENTIAL_PREFIX)}


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


def test_ci_reports_the_steps_taken_from_the_store_and_the_entries_it_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    finished = {
        "lint": JobRun(dagger.dag.container(), from_store=True),
        "typecheck": JobRun(dagger.dag.container(), notes=(f"{REFUSED} the entry 0123: its bytes ...",)),
    }

    async def run_job(src: Any, job: Job, *_: object, store: ResultStore | None, **__: object) -> JobRun:
        assert store is not None and store.uri == "/results"
        return finished[job.step]

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
