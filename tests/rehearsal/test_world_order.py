"""The validation world starts once the release world has recorded its first call (main's validation, which
fills the result store the pull requests' gates then read)."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

from careervp_ci.rehearsal.rehearse import start_order, wait_for_first_call


def test_the_release_world_starts_first_and_a_world_alone_starts_at_once() -> None:
    assert start_order(["validation", "release"]) == ["release", "validation"]
    assert start_order(["validation"]) == ["validation"]
    assert start_order(["release"]) == ["release"]


def test_the_waiting_world_starts_when_the_first_call_is_recorded_not_before(tmp_path: Path) -> None:
    calls = tmp_path / "release.jsonl"
    calls.write_text("")  # the world's file exists, empty, from its start
    world = subprocess.Popen(["sleep", "60"])
    try:
        recorded = threading.Timer(1.5, lambda: calls.write_text('{"call": "dagger call ci"}\n'))
        recorded.start()
        started = time.monotonic()
        wait_for_first_call(calls, world)
        waited = time.monotonic() - started
        assert 1.5 <= waited < 10
        assert world.poll() is None, "it returned on the record, not on the world's end"
    finally:
        world.kill()
        world.wait()


def test_a_world_that_ends_before_any_call_releases_the_waiting_one(tmp_path: Path) -> None:
    world = subprocess.Popen(["sleep", "1"])
    started = time.monotonic()
    wait_for_first_call(tmp_path / "never-written.jsonl", world)
    assert time.monotonic() - started < 10
    assert world.returncode == 0
