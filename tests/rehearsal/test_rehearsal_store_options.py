"""`careervp-ci rehearse --result-store` and `--fresh-engine`, and the report's `steps_from_store`, without
containers: the store's folder, what is refused, the fresh layer store's lifetime, the record of a call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from careervp_ci.dagger_module.jobs import ci_summary
from careervp_ci.dagger_module.plan import Job
from careervp_ci.host.cli import build_parser
from careervp_ci.rehearsal import dagger_cli
from careervp_ci.rehearsal.podman import RehearsalUnavailable
from careervp_ci.rehearsal.rehearse import (
    RESULT_STORE_IN_CONTAINER,
    SUBSTITUTIONS,
    default_result_store,
    fresh_engine,
    result_store_folder,
)
from careervp_ci.rehearsal.resolver import Engine


def test_the_options_parse_and_default_to_the_kept_store_and_the_shared_engine() -> None:
    parser, _ = build_parser(with_release=True)
    args = parser.parse_args(["rehearse", "--result-store", "/tmp/results", "--fresh-engine"])
    assert (args.result_store, args.fresh_engine) == (Path("/tmp/results"), True)
    defaults = parser.parse_args(["rehearse"])
    assert (defaults.result_store, defaults.fresh_engine) == (None, False)


def test_the_default_store_lives_beside_the_layers_and_outlives_the_rehearsal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(dagger_cli.CACHE_ENV, str(tmp_path / "cache"))
    assert default_result_store() == tmp_path / "cache" / "results"
    assert result_store_folder(None) == (tmp_path / "cache" / "results").resolve()
    assert (tmp_path / "cache" / "results").is_dir()


def test_a_store_the_rehearsal_cannot_reach_or_that_is_no_folder_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(RehearsalUnavailable, match="name a folder on this machine"):
        result_store_folder(Path("s3://bucket/releases"))
    afile = tmp_path / "a-file"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(RehearsalUnavailable, match="exists and is not a folder"):
        result_store_folder(afile)


def test_a_fresh_engine_is_an_empty_layer_store_of_its_own_removed_afterwards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(dagger_cli.CACHE_ENV, str(tmp_path / "cache"))
    with fresh_engine() as folder:
        assert dagger_cli.cache_dir() == folder
        assert folder.parent == tmp_path and not any(folder.iterdir())
        (folder / "layers").mkdir()
    assert not folder.exists()
    assert dagger_cli.cache_dir() == tmp_path / "cache"


def test_every_container_gets_the_store_read_write_and_the_report_names_the_substitution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(dagger_cli.STORE_MOUNT_ENV, json.dumps({str(tmp_path): RESULT_STORE_IN_CONTAINER}))
    for side_effects in (False, True):
        engine: Engine = dagger_cli._engine(side_effects=side_effects)
        assert engine.layers.writable_mounts == {str(tmp_path): RESULT_STORE_IN_CONTAINER}
    assert any(RESULT_STORE_IN_CONTAINER in line for line in SUBSTITUTIONS)


def test_each_call_records_the_steps_its_summary_took_from_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = tmp_path / "calls.jsonl"
    monkeypatch.setenv(dagger_cli.REPORT_ENV, str(report))
    monkeypatch.setenv(dagger_cli.CACHE_ENV, str(tmp_path / "cache"))
    engine = dagger_cli._engine(side_effects=False)
    summary = ci_summary("pr", [Job("lint"), Job("unit")], {"lint": "from store", "unit": "passed"})
    dagger_cli._record(["call", "ci"], engine, 0, 1.0, summary)
    dagger_cli._record(["call", "synth", "export", "--path", "cdk.out"], engine, 0, 1.0, "")
    first, second = (json.loads(line) for line in report.read_text(encoding="utf-8").splitlines())
    assert first["steps_from_store"] == ["lint"]
    assert second["steps_from_store"] == []
