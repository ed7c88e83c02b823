"""docs/architecture.md draws the layout from the code: a module added, moved or re-described without
regenerating the page fails here, naming the command that fixes it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from careervp_ci import architecture
from careervp_ci.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_layout_matches_the_code() -> None:
    assert architecture.current(ROOT) == architecture.render(ROOT), (
        "docs/architecture.md is stale: run `uv run python -m careervp_ci.architecture --write`"
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for package in architecture.PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "docs").mkdir()
    shutil.copyfile(ROOT / architecture.DOC, tmp_path / architecture.DOC)
    return tmp_path


def test_a_new_module_makes_the_page_stale_until_it_is_regenerated(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tree / "ci/src/careervp_ci/release/notary.py").write_text('"""Signs artifacts. More later."""\n')
    assert architecture.main(["--src", str(tree)]) == 1
    assert "run: uv run python -m careervp_ci.architecture --write" in capsys.readouterr().out
    assert architecture.main(["--src", str(tree), "--write"]) == 0
    assert "    notary.py  Signs artifacts.\n" in (tree / architecture.DOC).read_text()
    assert architecture.main(["--src", str(tree)]) == 0


def test_a_long_summary_is_cut_at_a_word(tree: Path) -> None:
    module = tree / "src/backend/careervp/long.py"
    module.write_text('"""' + "word " * 40 + 'end."""\n')
    line = next(line for line in architecture.render(tree).splitlines() if "long.py" in line)
    assert len(line) <= architecture.WIDTH
    assert line.endswith("word …")


def test_a_page_without_the_markers_is_a_usage_error(tree: Path) -> None:
    (tree / architecture.DOC).write_text("# Architecture\n")
    with pytest.raises(UsageError, match="add the markers"):
        architecture.current(tree)
