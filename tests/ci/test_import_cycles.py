"""No two modules of ci/src import each other, directly or round a loop (lazy imports inside functions count:
they tie the modules as much as the ones at the top). The graph is grimp's, as import-linter builds it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest


def circles(package: str) -> list[list[str]]:
    """Each import that closes a loop, with the shortest way back: [importer, imported, ..., importer]."""
    graph = grimp.build_graph(package, cache_dir=None)  # no .grimp_cache in the tree
    found = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                found.append([importer, *back])
    return found


def test_ci_src_has_no_import_circle() -> None:
    loops = circles("careervp_ci")
    assert loops == [], "modules that import each other:\n" + "\n".join(" -> ".join(loop) for loop in loops)


@pytest.fixture
def planted(tmp_path: Path) -> Iterator[str]:
    """A package whose `a` imports `b` at the top and `b` imports `a` inside a function."""
    package = tmp_path / "plantedloop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from plantedloop import b\n")
    (package / "b.py").write_text("def late() -> None:\n    from plantedloop import a  # noqa\n")
    (package / "c.py").write_text("from plantedloop import a\n")
    sys.path.insert(0, str(tmp_path))
    yield "plantedloop"
    sys.path.remove(str(tmp_path))


def test_a_loop_through_a_lazy_import_is_found_and_named(planted: str) -> None:
    assert circles(planted) == [
        ["plantedloop.a", "plantedloop.b", "plantedloop.a"],
        ["plantedloop.b", "plantedloop.a", "plantedloop.b"],
    ]
