"""Content-addressed results: what changes a key, what a hit restores, and that failures never stick."""

from __future__ import annotations

import importlib.machinery
import json
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from careervp_ci.host.cache import (
    PRODUCTS,
    FileDigests,
    ResultCache,
    code_digests,
    input_files,
    key_material,
    step_key,
)
from careervp_ci.pipeline.steps import format, lint, secrets, unit
from careervp_ci.pipeline.steps.catalogue import CATALOGUE
from support.fixture_project import CliRunner, write


def key_of(
    tree: Path, options: dict[str, str | None] | None = None, needs: dict[str, str] | None = None
) -> str:
    return step_key(unit.STEP, tree, options or {}, needs or {}, FileDigests(tree))


def test_editing_an_input_changes_the_key_and_reverting_restores_it(fixture_tree: Path) -> None:
    module = fixture_tree / "src/backend/careervp/pricing.py"
    original = module.read_text()
    before = key_of(fixture_tree)
    module.write_text(original + "# one more line\n")
    edited = key_of(fixture_tree)
    module.write_text(original)
    assert edited != before
    assert key_of(fixture_tree) == before


def test_files_outside_the_declared_inputs_do_not_change_the_key(fixture_tree: Path) -> None:
    before = key_of(fixture_tree)
    write(fixture_tree, "README.md", "# edited\n")
    write(fixture_tree, ".github/workflows/extra.yml", "# unit tests do not read workflows\n")
    assert key_of(fixture_tree) == before


def test_an_infra_change_changes_the_unit_key_because_unit_tests_cover_infra(fixture_tree: Path) -> None:
    before = key_of(fixture_tree)
    write(fixture_tree, "infra/app.py", "# tests/unit/infra reads this\n")
    assert key_of(fixture_tree) != before


def test_keyed_options_and_needed_keys_change_the_key_but_the_seed_does_not(fixture_tree: Path) -> None:
    base = key_of(fixture_tree)
    assert key_of(fixture_tree, {"marker": "not slow"}) != base
    assert key_of(fixture_tree, needs={"format": "a" * 64}) != base
    assert key_of(fixture_tree, {"seed": "42"}) == base


@pytest.fixture
def importing_package(tmp_path: Path) -> Iterator[Path]:
    """`chain.step` imports `chain.helper`, which imports `chain.deep`; `chain.unused` is imported by none."""
    package = tmp_path / "chain"
    write(tmp_path, "chain/__init__.py", "")
    write(tmp_path, "chain/step.py", "from chain import helper\nimport json\n")
    write(tmp_path, "chain/helper.py", "from chain.deep import VALUE\n")
    write(tmp_path, "chain/deep.py", "VALUE = 1\n")
    write(tmp_path, "chain/unused.py", "VALUE = 2\n")
    sys.path.insert(0, str(tmp_path))
    yield package
    sys.path.remove(str(tmp_path))


def test_the_code_digest_follows_imports_transitively_and_only_within_the_package(
    importing_package: Path,
) -> None:
    step = importing_package / "step.py"
    before = code_digests(step, "chain")
    assert sorted(before) == ["chain", "chain.deep", "chain.helper", "step"]
    (importing_package / "deep.py").write_text("VALUE = 3\n")
    after = code_digests(step, "chain")
    assert after["chain.deep"] != before["chain.deep"]
    assert {k: v for k, v in after.items() if k != "chain.deep"} == {
        k: v for k, v in before.items() if k != "chain.deep"
    }


def test_import_walks_from_parallel_steps_never_clear_the_finder_cache_at_once(
    importing_package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each modulefinder lookup clears the interpreter's shared finder cache; two clearing at once race to
    delete the same entry (KeyError in a parallel run). The slowed clear makes any overlap certain."""
    clear = importlib.machinery.PathFinder.invalidate_caches
    inside, overlaps = [0], [0]
    guard = threading.Lock()

    def slow_clear() -> None:
        with guard:
            inside[0] += 1
            overlaps[0] += inside[0] > 1
        time.sleep(0.005)
        clear()
        with guard:
            inside[0] -= 1

    monkeypatch.setattr(importlib.machinery.PathFinder, "invalidate_caches", staticmethod(slow_clear))
    walks = [
        threading.Thread(target=code_digests, args=(importing_package / "step.py", "chain")) for _ in "ab"
    ]
    for walk in walks:
        walk.start()
    for walk in walks:
        walk.join()
    assert overlaps == [0]


def test_a_step_key_covers_the_modules_its_code_reaches_through_others(fixture_tree: Path) -> None:
    material = json.loads(key_material(format.STEP, fixture_tree, {}, {}, FileDigests(fixture_tree)))
    reached = set(material["code"])
    assert {"careervp_ci.pipeline.steps.ruff", "careervp_ci.pipeline.tool_cache"} <= reached
    assert not any(name.startswith("careervp_ci.rehearsal") for name in reached)


def test_input_globs_skip_tool_and_cache_folders(fixture_tree: Path) -> None:
    write(fixture_tree, "src/backend/careervp/__pycache__/junk.py", "")
    write(fixture_tree, "src/.venv/lib/site.py", "")
    found = input_files(fixture_tree, ["src/**/*.py"])
    assert "src/backend/careervp/pricing.py" in found
    assert not [path for path in found if "__pycache__" in path or ".venv" in path]


def test_a_top_level_file_has_one_name_whether_a_glob_or_its_literal_path_finds_it(
    fixture_tree: Path,
) -> None:
    """Changes and records name files as git does (`README.md`); a glob from the root used to say
    `./README.md`."""
    write(fixture_tree, "NOTES.md", "notes\n")
    assert "NOTES.md" in input_files(fixture_tree, ["**/*.md"])
    assert input_files(fixture_tree, ["NOTES.md"]) == ["NOTES.md"]
    assert not [path for path in input_files(fixture_tree, ["**/*"]) if path.startswith("./")]


def test_a_whole_tree_scan_keys_the_same_before_and_after_a_build_writes_its_products(
    fixture_tree: Path,
) -> None:
    """The secret scan reads every file; the SPA's build writes frontend/dist beside it. Were the products
    inputs, the scan's key would depend on which of the two finished first, and a warm run would miss."""
    before = step_key(secrets.STEP, fixture_tree, {}, {}, FileDigests(fixture_tree))
    write(fixture_tree, "frontend/dist/main.js", "console.log('built');\n")
    write(fixture_tree, ".careervp/cdk.out/manifest.json", "{}")
    assert step_key(secrets.STEP, fixture_tree, {}, {}, FileDigests(fixture_tree)) == before
    write(fixture_tree, "frontend/src/extra.js", "export const edited = true;\n")
    assert step_key(secrets.STEP, fixture_tree, {}, {}, FileDigests(fixture_tree)) != before


def test_every_output_a_step_declares_is_a_product_no_key_reads(fixture_tree: Path) -> None:
    declared = {output for step in CATALOGUE.values() for output in step.outputs}
    assert declared and declared <= PRODUCTS


def test_a_stored_pass_restores_its_report_files_and_outputs(tmp_path: Path) -> None:
    reports = tmp_path / "reports" / "synth"
    assembly = tmp_path / "tree" / ".careervp" / "cdk.out"
    write(reports, "cfn-lint.sarif", "{}")
    write(assembly, "manifest.json", '{"version": "1"}')
    store = ResultCache(tmp_path / "cache")
    store.store("k" * 64, "synthesized", ["4 templates"], reports, {".careervp/cdk.out": assembly})
    (reports / "cfn-lint.sarif").unlink()
    (assembly / "manifest.json").write_text("stale")
    hit = store.lookup("k" * 64)
    assert hit is not None
    assert (hit.message, hit.notes) == ("synthesized", ("4 templates",))
    ResultCache.restore(hit, reports, {".careervp/cdk.out": assembly})
    assert (reports / "cfn-lint.sarif").read_text() == "{}"
    assert (assembly / "manifest.json").read_text() == '{"version": "1"}'


def test_rerun_hits_edit_misses_revert_hits_again(fixture_tree: Path, careervp_ci: CliRunner) -> None:
    first = careervp_ci("lint", cwd=fixture_tree)
    assert first.returncode == 0, first.stdout
    assert "lint passed" in first.stdout
    assert "lint cached" in careervp_ci("lint", cwd=fixture_tree).stdout
    module = fixture_tree / "src/backend/careervp/greeting.py"
    original = module.read_text()
    module.write_text(original + "\n\nGREETING = 'hi'\n")
    assert "lint passed" in careervp_ci("lint", cwd=fixture_tree).stdout
    module.write_text(original)
    back = careervp_ci("lint", cwd=fixture_tree)
    assert "lint cached" in back.stdout
    assert (fixture_tree / ".reports/lint/ruff.sarif").is_file()


def test_a_failure_is_never_cached(fixture_tree: Path, careervp_ci: CliRunner, tmp_path: Path) -> None:
    write(fixture_tree, "src/backend/careervp/broken.py", "import os\n")
    first = careervp_ci("lint", cwd=fixture_tree)
    second = careervp_ci("lint", cwd=fixture_tree)
    assert (first.returncode, second.returncode) == (1, 1)
    assert "lint failed" in second.stdout
    assert not list((tmp_path / "cache").glob("*/outcome.json"))
    assert lint.STEP.cacheable
