"""The upload filter follows BuildKit's matcher: the module's allow-list keeps exactly what the steps read."""

from __future__ import annotations

from pathlib import Path

import pytest
from careervp_ci.dagger_module.arguments import SOURCE_ALLOW_LIST
from careervp_ci.rehearsal.tree import excluded, included, stage, tree_digest


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("pyproject.toml", True),
        ("ci/src/careervp_ci/dagger_module/main.py", True),
        ("src/backend/careervp/api.py", True),
        (".github/workflows/deploy-dev.yml", True),
        ("README.md", True),
        ("dagger.json", True),
        (".secrets.baseline", True),
        (".gitignore", False),
        (".careervp/artifacts/sha256-x.tar", False),
        (".venv/lib/x.py", False),
        ("ci/sdk/src/dagger/__init__.py", False),
        ("src/backend/careervp/__pycache__/api.cpython-313.pyc", False),
        ("infra/cdk.out/manifest.json", False),
        ("node_modules/aws-cdk/package.json", False),
    ],
)
def test_the_allow_list_keeps_what_the_steps_read_and_nothing_else(path: str, kept: bool) -> None:
    assert excluded(path, SOURCE_ALLOW_LIST) is not kept


def test_a_later_pattern_decides_and_a_parent_match_covers_children() -> None:
    assert excluded("docs/a/b.md", ["docs"])
    assert not excluded("docs/a/b.md", ["docs", "!docs/a"])
    assert excluded("x/deep/.venv/y", ["**/.venv/"])
    assert included("ci/pyproject.toml", ["ci/pyproject.toml"])
    assert not included("ci/other.toml", ["ci/pyproject.toml"])


def test_staging_copies_only_kept_files_and_the_digest_follows_content(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "keep").mkdir(parents=True)
    (source / "keep" / "a.txt").write_text("one")
    (source / "drop.txt").write_text("gone")
    first = stage(source, tmp_path / "out1", exclude=["*", "!keep"])
    assert sorted(p.name for p in (tmp_path / "out1").rglob("*")) == ["a.txt", "keep"]
    assert first == tree_digest(tmp_path / "out1")
    (source / "keep" / "a.txt").write_text("two")
    assert stage(source, tmp_path / "out2", exclude=["*", "!keep"]) != first
