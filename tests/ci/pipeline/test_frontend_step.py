"""The frontend steps reinstall frontend/'s lock exactly when node_modules holds another (or none)."""

from __future__ import annotations

from pathlib import Path

from careervp_ci.pipeline.phases import PHASES, smoke_features
from careervp_ci.pipeline.resolve import phase_profile
from careervp_ci.pipeline.steps.catalogue import CATALOGUE
from careervp_ci.pipeline.steps.frontend import DIST, installed, mark_installed


def test_the_stamp_names_the_installed_lock_so_a_changed_lock_reinstalls(tmp_path: Path) -> None:
    (tmp_path / "node_modules").mkdir()
    lock = tmp_path / "package-lock.json"
    lock.write_text('{"lockfileVersion": 3}')
    assert not installed(tmp_path)

    mark_installed(tmp_path)
    assert installed(tmp_path)

    lock.write_text('{"lockfileVersion": 3, "packages": {}}')
    assert not installed(tmp_path)


def test_phase_18_runs_the_spas_steps_and_the_build_keeps_its_output() -> None:
    phase = phase_profile(PHASES["18"])
    assert {"frontend-lint", "frontend-unit", "frontend-build", "synth"} <= set(phase.steps)
    assert smoke_features("18") == ("frontend",)
    assert CATALOGUE["frontend-build"].outputs == (DIST,)
