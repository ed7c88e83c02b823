"""Results shared through the artifact store: verified on read, written only by trusted runs, never across
toolchains; and no cache hit, local or shared, ever stands in for inputs that changed."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from careervp_ci.host.cache import FileDigests, ResultCache, key_material, material_key
from careervp_ci.host.executor import HostExecutor, RunResult
from careervp_ci.host.progress import PlainProgress
from careervp_ci.host.shared_cache import (
    SHARED_ENV,
    WRITE_ENV,
    SharedCacheError,
    SharedResults,
    shared_from_env,
)
from careervp_ci.pipeline.plan import build_plan
from careervp_ci.pipeline.steps.context import Status, StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step
from careervp_ci.release.store import FolderBackend


def gate(ctx: StepContext) -> StepOutcome:
    text = (ctx.src / "input.txt").read_text(encoding="utf-8")
    return ctx.passed("input is ok") if text == "ok" else ctx.failed(f"input is {text!r}")


GATE = Step(name="gate", summary="passes when input.txt says ok", run=gate, inputs=("input.txt",))


def tree(tmp_path: Path, text: str = "ok") -> Path:
    src = tmp_path / "tree"
    src.mkdir(exist_ok=True)
    (src / "input.txt").write_text(text, encoding="utf-8")
    return src


def run(src: Path, cache: Path, shared: SharedResults | None = None) -> Status:
    executor = HostExecutor(
        src, src / ".reports", ResultCache(cache), PlainProgress(io.StringIO()), shared=shared
    )
    result: RunResult = executor.run(build_plan({"gate": GATE}, ["gate"]))
    return result.results[0].status


def current_key(src: Path) -> str:
    return material_key(key_material(GATE, src, {}, {}, FileDigests(src)))


def store(tmp_path: Path, *, writable: bool, namespace: str = "") -> SharedResults:
    return SharedResults(
        FolderBackend((tmp_path / "store").resolve()), writable=writable, namespace=namespace
    )


def test_a_trusted_run_publishes_and_a_fresh_runner_gets_a_verified_hit(tmp_path: Path) -> None:
    src = tree(tmp_path)
    assert run(src, tmp_path / "runner-1", store(tmp_path, writable=True)) is Status.PASSED
    assert run(src, tmp_path / "runner-2", store(tmp_path, writable=False)) is Status.CACHED


def test_an_untrusted_run_never_writes_to_the_shared_store(tmp_path: Path) -> None:
    src = tree(tmp_path)
    assert run(src, tmp_path / "fork", store(tmp_path, writable=False)) is Status.PASSED
    assert not (tmp_path / "store").exists() or not list((tmp_path / "store").rglob("*.tar"))
    assert run(src, tmp_path / "runner-2", store(tmp_path, writable=False)) is Status.PASSED


def test_a_changed_input_behind_an_old_key_is_never_a_hit_locally(tmp_path: Path) -> None:
    src = tree(tmp_path)
    cache = tmp_path / "cache"
    assert run(src, cache) is Status.PASSED
    old_key = current_key(src)
    (src / "input.txt").write_text("broken", encoding="utf-8")
    shutil.copytree(cache / old_key, cache / current_key(src))
    assert run(src, cache) is Status.FAILED
    assert not (cache / current_key(src)).exists()


def test_a_changed_input_behind_an_old_key_is_never_a_hit_from_the_store(tmp_path: Path) -> None:
    src = tree(tmp_path)
    shared = store(tmp_path, writable=True)
    assert run(src, tmp_path / "runner-1", shared) is Status.PASSED
    old_key = current_key(src)
    (src / "input.txt").write_text("broken", encoding="utf-8")
    results = next((tmp_path / "store" / "results").iterdir())
    for suffix in (".tar", ".tar.sha256"):
        shutil.copyfile(results / f"{old_key}{suffix}", results / f"{current_key(src)}{suffix}")
    assert run(src, tmp_path / "runner-2", store(tmp_path, writable=False)) is Status.FAILED


def test_a_corrupt_shared_entry_is_refused_and_the_step_runs(tmp_path: Path) -> None:
    src = tree(tmp_path)
    assert run(src, tmp_path / "runner-1", store(tmp_path, writable=True)) is Status.PASSED
    entry = next((tmp_path / "store" / "results").rglob("*.tar"))
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0xFF
    entry.write_bytes(bytes(data))
    assert run(src, tmp_path / "runner-2", store(tmp_path, writable=False)) is Status.PASSED
    assert not list((tmp_path / "runner-2").glob(".shared-*"))


def test_results_of_another_toolchain_are_not_shared(tmp_path: Path) -> None:
    src = tree(tmp_path)
    assert (
        run(src, tmp_path / "runner-1", store(tmp_path, writable=True, namespace="py3.12-x")) is Status.PASSED
    )
    assert run(src, tmp_path / "runner-2", store(tmp_path, writable=False)) is Status.PASSED


def test_only_trusted_is_a_write_permission_and_it_needs_a_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SHARED_ENV, raising=False)
    monkeypatch.delenv(WRITE_ENV, raising=False)
    assert shared_from_env(tmp_path) is None
    monkeypatch.setenv(WRITE_ENV, "trusted")
    with pytest.raises(SharedCacheError, match="names no store"):
        shared_from_env(tmp_path)
    monkeypatch.setenv(SHARED_ENV, str(tmp_path / "store"))
    monkeypatch.setenv(WRITE_ENV, "yes")
    with pytest.raises(SharedCacheError, match="'yes'"):
        shared_from_env(tmp_path)
    monkeypatch.setenv(WRITE_ENV, "trusted")
    shared = shared_from_env(tmp_path)
    assert shared is not None and shared.writable
