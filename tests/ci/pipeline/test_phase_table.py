"""The phase table is data (`phases.toml`): its loader refuses a malformed table naming the phase and the key,
so a typo in a phase never becomes a phase that silently runs less."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest
from careervp_ci.pipeline.phases import Blueprint, Missing, PhaseTableError, load
from support.uv import uv

GROUPS = '[groups.steps]\nlint = ["lint", "typecheck"]\n[groups.paths]\ncore = ["src/a.py"]\n'


def test_groups_expand_where_named_and_tests_become_the_suites_paths() -> None:
    table = load(
        GROUPS + '[[phase]]\nid = "1"\ntitle = "One"\npaths = ["one/**", "@core"]\npr = ["@lint", "unit"]\n'
        'tests.unit = ["tests/a.py", "tests/b.py"]\noptions.integration.keyword = "one"\nsmoke = ["health"]\n'
    )
    phase = table["1"]
    assert phase.paths == ("one/**", "src/a.py")
    assert phase.pr == Blueprint(
        ("lint", "typecheck", "unit"),
        {"unit": {"paths": "tests/a.py tests/b.py"}, "integration": {"keyword": "one"}},
    )
    assert (phase.smoke, phase.nightly) == (("health",), ())


def test_a_part_not_built_yet_is_missing_with_its_reason() -> None:
    table = load(GROUPS + '[[phase]]\nid = "2"\ntitle = "Two"\npr = { missing = "no feature yet" }\n')
    assert table["2"].pr == Missing("no feature yet")
    assert not table["2"].implemented


@pytest.mark.parametrize(
    ("phase", "named"),
    [
        ('id = "3"\ntitle = "T"\nsmoek = ["health"]', r"phase '3' has unknown key 'smoek'"),
        (
            'id = "3"\ntitle = "T"\npr = ["@lnit"]',
            r"'3'.pr names unknown group '@lnit'; groups here: @lint",
        ),
        ('id = "3"\ntitle = "T"\npr = "lint"', r"phase '3'.pr must be a list of strings"),
        ('id = "3"\ntitle = "T"\npr = { todo = "x" }', r"phase '3'.pr is a list or \{ missing"),
        ('id = "3"', r"phase '3' needs a string 'title'"),
        ('id = "3"\ntitle = "T"', r"phase '3' needs `pr`: its steps, or \{ missing"),
        (
            'id = "3"\ntitle = "T"\npr = []\noptions.unit.paths = 1',
            r"'3'.options.unit.paths must be a string",
        ),
    ],
)
def test_a_malformed_phase_is_refused_naming_it_and_the_key(phase: str, named: str) -> None:
    with pytest.raises(PhaseTableError, match=named):
        load(GROUPS + "[[phase]]\n" + phase + "\n")


def test_a_phase_declared_twice_is_refused() -> None:
    entry = '[[phase]]\nid = "4"\ntitle = "T"\npr = []\n'
    with pytest.raises(PhaseTableError, match="phase '4' is declared twice"):
        load(GROUPS + entry + entry)


def test_the_table_ships_inside_the_module_the_dagger_runtime_installs(tmp_path: Path) -> None:
    """The engine's runtime installs ci/ as a package: the table must be in the wheel beside its loader."""
    root = Path(__file__).resolve().parents[3]
    subprocess.run(
        [uv(), "build", "--wheel", "--out-dir", str(tmp_path), str(root / "ci")],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    assert "careervp_ci/pipeline/phases.toml" in zipfile.ZipFile(wheel).namelist()
