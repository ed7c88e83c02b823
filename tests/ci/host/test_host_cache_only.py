"""`ci --from-cache-only` (what a Dagger job's probe runs): a verified pass restored from the local cache or
the shared store, no step ever run, a step without one NOT_CACHED and exit 0; and a trusted run publishing
a pass it finds in its local cache (what a Dagger job's publish runs), once."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from careervp_ci.host import cli
from careervp_ci.host.cache import CACHE_ENV, ResultCache
from careervp_ci.host.executor import HostExecutor, RunResult
from careervp_ci.host.progress import PlainProgress
from careervp_ci.host.report import exit_code, verdict
from careervp_ci.host.shared_cache import REFUSED, SHARED_ENV, SharedResults
from careervp_ci.pipeline.plan import build_plan
from careervp_ci.pipeline.steps.context import Status, StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step
from careervp_ci.release.store import FolderBackend

ran: list[str] = []


def counted(ctx: StepContext) -> StepOutcome:
    """Passes, leaving a report, and records that it ran."""
    ran.append(ctx.step)
    (ctx.report_dir / "junit.xml").write_text(f"<testsuite name='{ctx.step}'/>", encoding="utf-8")
    return ctx.passed("input is ok")


GATE = Step(name="gate", summary="passes", run=counted, inputs=("input.txt",))
AFTER = Step(name="after", summary="passes after gate", run=counted, inputs=("input.txt",), needs=("gate",))
STEPS = {"gate": GATE, "after": AFTER}


@pytest.fixture(autouse=True)
def _no_runs_yet() -> None:
    ran.clear()


class CountingBackend(FolderBackend):
    """A folder store that counts the entries created in it."""

    creates = 0

    def create(self, key: str, data: bytes) -> bool:
        CountingBackend.creates += key.endswith(".tar")
        return super().create(key, data)


def tree(tmp_path: Path) -> Path:
    src = tmp_path / "tree"
    src.mkdir(exist_ok=True)
    (src / "input.txt").write_text("ok", encoding="utf-8")
    return src


def store(tmp_path: Path, *, writable: bool) -> SharedResults:
    return SharedResults(CountingBackend((tmp_path / "store").resolve()), writable=writable)


def run(
    src: Path, cache: Path, shared: SharedResults | None = None, *, cache_only: bool = False
) -> tuple[RunResult, dict[str, Status]]:
    executor = HostExecutor(
        src,
        src / ".reports",
        ResultCache(cache),
        PlainProgress(io.StringIO()),
        shared=shared,
        cache_only=cache_only,
    )
    result = executor.run(build_plan(STEPS, list(STEPS)))
    return result, {step.name: step.status for step in result.results}


def test_from_cache_only_runs_no_step_and_a_step_without_a_pass_is_not_cached_exit_0(tmp_path: Path) -> None:
    result, statuses = run(tree(tmp_path), tmp_path / "empty", cache_only=True)
    assert statuses == {"gate": Status.NOT_CACHED, "after": Status.NOT_CACHED}
    assert ran == []
    assert exit_code(result) == 0
    assert verdict(result, 0) == "NOT CACHED (not run): gate, after"


def test_from_cache_only_restores_a_verified_pass_from_the_store_with_its_reports(tmp_path: Path) -> None:
    src = tree(tmp_path)
    assert run(src, tmp_path / "main", store(tmp_path, writable=True))[1]["gate"] is Status.PASSED
    shutil.rmtree(src / ".reports")
    ran.clear()
    result, statuses = run(src, tmp_path / "probe", store(tmp_path, writable=False), cache_only=True)
    assert statuses == {"gate": Status.CACHED, "after": Status.CACHED}
    assert ran == []
    assert (src / ".reports" / "gate" / "junit.xml").read_text(encoding="utf-8") == "<testsuite name='gate'/>"
    assert exit_code(result) == 0


def test_from_cache_only_refuses_a_corrupt_entry_and_still_runs_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tree(tmp_path)
    run(src, tmp_path / "main", store(tmp_path, writable=True))
    for entry in (tmp_path / "store").rglob("*.tar"):
        entry.write_bytes(entry.read_bytes().replace(b"<testsuite", b"<testsuit!"))
    ran.clear()
    _, statuses = run(src, tmp_path / "probe", store(tmp_path, writable=False), cache_only=True)
    assert statuses == {"gate": Status.NOT_CACHED, "after": Status.NOT_CACHED}
    assert ran == []
    assert capsys.readouterr().err.count(REFUSED) == 2


def test_from_cache_only_looks_up_a_step_after_one_not_cached_by_its_own_key(tmp_path: Path) -> None:
    src = tree(tmp_path)
    cache = tmp_path / "cache"
    run(src, cache)
    (gate,) = [report for report in cache.glob("*/reports/junit.xml") if "'gate'" in report.read_text()]
    shutil.rmtree(gate.parent.parent)
    ran.clear()
    result, statuses = run(src, cache, cache_only=True)
    assert statuses == {"gate": Status.NOT_CACHED, "after": Status.CACHED}
    assert ran == []
    assert exit_code(result) == 0


def test_a_trusted_run_publishes_a_pass_from_its_local_cache_once_and_an_untrusted_one_never(
    tmp_path: Path,
) -> None:
    src = tree(tmp_path)
    cache = tmp_path / "job"
    assert run(src, cache)[1] == {"gate": Status.PASSED, "after": Status.PASSED}
    CountingBackend.creates = 0
    assert run(src, cache, store(tmp_path, writable=False))[1]["gate"] is Status.CACHED
    assert CountingBackend.creates == 0
    assert run(src, cache, store(tmp_path, writable=True), cache_only=True)[1]["gate"] is Status.CACHED
    assert CountingBackend.creates == 2
    assert run(src, cache, store(tmp_path, writable=True))[1]["gate"] is Status.CACHED
    assert CountingBackend.creates == 2, "an entry the store holds is never written again"
    ran.clear()
    _, fresh = run(src, tmp_path / "fresh", store(tmp_path, writable=False), cache_only=True)
    assert fresh == {"gate": Status.CACHED, "after": Status.CACHED}
    assert ran == []


def test_ci_from_cache_only_reports_a_step_without_a_pass_as_not_cached_and_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(SHARED_ENV, raising=False)
    argv = ["ci", "--profile", "pr", "--only", "lint", "--from-cache-only", "--src", str(tree(tmp_path))]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "○ lint not cached" in out and "NOT CACHED (not run): lint" in out


def test_from_cache_only_with_no_cache_is_refused_naming_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["ci", "--only", "lint", "--from-cache-only", "--no-cache", "--src", str(tmp_path)])
    assert code == 2
    assert "--from-cache-only reads the result cache: drop --no-cache" in capsys.readouterr().err
