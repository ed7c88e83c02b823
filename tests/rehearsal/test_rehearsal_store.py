"""The step-result store on the Dagger path, rehearsed: pr-validate on an empty layer store fills the result
store; pr-validate again on another empty layer store (a new runner) takes from it every step it can, and
says so in the report; after a planted change in one backend module only the steps that read it run again.
Slow by nature (each empty layer store builds the toolchain; three rehearsals of the scenario), and its point
is a ratio of wall times: a benchmark (`make bench-store`), so `make test` leaves it out."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from careervp_ci.rehearsal import dagger_cli
from careervp_ci.rehearsal.rehearse import fresh_engine, world
from careervp_ci.rehearsal.scenarios import SCENARIOS
from support.store_steps import reading, storable

ROOT = Path(__file__).resolve().parents[2]
PLANTED = "src/backend/careervp/kb/store.py"
PR = next(scenario for scenario in SCENARIOS if scenario.name == "pr-validate (code change)")
CI_CALL = "dagger call ci --profile pr"

pytestmark = [pytest.mark.slow, pytest.mark.bench, pytest.mark.timeout(3600)]


def rehearse(calls: Path, store: Path, *, plant: bool = False) -> tuple[dict[str, Any], float]:
    """pr-validate's code-change scenario in a world of its own sharing `store`; the ci call's record and
    the scenario's wall time."""
    with world(ROOT, calls, store) as rehearsal:
        if plant:
            git = ["git", "-C", str(rehearsal.repo)]
            subprocess.run([*git, "checkout", "--quiet", PR.head], check=True)
            with (rehearsal.repo / PLANTED).open("a", encoding="utf-8") as module:
                module.write("# a planted change: the steps that read this module run again\n")
            identity = ["-c", "user.name=rehearsal", "-c", "user.email=rehearsal@localhost"]
            subprocess.run([*git, *identity, "commit", "--quiet", "-am", "planted"], check=True)
            subprocess.run([*git, "checkout", "--quiet", "main"], check=True)
        started = time.monotonic()
        rehearsal.run(PR)
        seconds = time.monotonic() - started
    records = [json.loads(line) for line in calls.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert all("steps_from_store" in record for record in records), records
    (ci,) = [record for record in records if record["call"].startswith(CI_CALL)]
    assert ci["exit"] == 0, ci
    return ci, seconds


def test_a_new_runner_takes_unchanged_steps_from_the_store_and_reruns_what_a_change_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "results"
    with fresh_engine() as first_engine:
        first, first_seconds = rehearse(tmp_path / "first.jsonl", store)
    assert not first_engine.exists(), "--fresh-engine's layer store is removed afterwards"
    assert first["steps_from_store"] == [], "an empty store offers nothing"
    assert list(store.rglob("*.tar")), "every rehearsed run writes its passes"

    monkeypatch.setenv(dagger_cli.CACHE_ENV, str(tmp_path / "second-engine"))
    second, second_seconds = rehearse(tmp_path / "second.jsonl", store)
    assert set(second["steps_from_store"]) == storable()

    planted, _ = rehearse(tmp_path / "planted.jsonl", store, plant=True)
    read_it = reading(ROOT, PLANTED, storable())
    assert read_it, f"no step reads {PLANTED}: plant the change elsewhere"
    assert set(planted["steps_from_store"]) == storable() - read_it
    with capsys.disabled():
        print(
            f"\nresult store: first run {first_seconds:.0f} s, second {second_seconds:.0f} s "
            f"({second_seconds / first_seconds:.0%} of the first)"
        )
