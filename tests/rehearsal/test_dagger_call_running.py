"""A parsed `dagger call` line run through the rehearsal engine: each CLI name reaches the Python function or
generated-client method behind it, chained calls act on the previous result, and the chain's end is
printed as the CLI prints it (an object by its type). Host folders only: no container starts."""

from __future__ import annotations

from pathlib import Path

import anyio
import dagger
from careervp_ci.rehearsal.call import parse, run
from careervp_ci.rehearsal.resolver import Engine, rehearsing
from dagger.mod._module import Module

plants = Module()


@plants.object_type
class Tree:
    """A module whose function hands a host folder back, for core calls to chain on."""

    @plants.function
    def tree(self, src: dagger.Directory) -> dagger.Directory:
        return src


def called(words: list[str], cwd: Path) -> str:
    with rehearsing(Engine(cwd / ".cache", log=lambda _: None)):
        return anyio.run(run, parse(words, Tree), cwd)


def test_chained_core_calls_act_on_what_the_function_returned(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "notes.txt").write_text("hello\n", encoding="utf-8")
    assert called(["tree", "--src", "src", "file", "--path", "notes.txt", "contents"], tmp_path) == "hello\n"
    exported = called(["tree", "--src", "src", "export", "--path", "out"], tmp_path)
    assert exported == str(tmp_path / "out")
    assert (tmp_path / "out" / "notes.txt").read_text(encoding="utf-8") == "hello\n"


def test_a_chain_ending_in_an_object_is_evaluated_and_named(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    assert called(["tree", "--src", "src"], tmp_path) == "Directory"
    assert called(["tree", "--src", "src", "directory", "--path", "."], tmp_path) == "Directory"
