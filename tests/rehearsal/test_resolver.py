"""The query resolver: keys as BuildKit forms them (every call before, the content of every input, a secret's
hash, never its value; so an identical prefix is reused and any change below it runs again), and a call or
argument it does not know is a gap naming it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from careervp_ci.rehearsal.resolver import Engine
from careervp_ci.rehearsal.tree import tree_digest
from careervp_ci.rehearsal.values import ContainerState, DirValue, HostValue, RehearsalGap, SecretValue
from dagger.client._core import Field


def engine(tmp_path: Path) -> Engine:
    return Engine(tmp_path / "cache")


def with_secret(tmp_path: Path, value: str) -> ContainerState:
    state = ContainerState(key="root", image="img")
    handler = engine(tmp_path)._Container_withSecretVariable
    return asyncio.run(handler(state, name="TOKEN", secret=SecretValue(value)))


def test_a_secret_changes_the_key_by_its_hash_and_never_appears_in_it(tmp_path: Path) -> None:
    one, other = with_secret(tmp_path, "s3cr3t-one"), with_secret(tmp_path, "s3cr3t-two")
    assert one.key != other.key
    assert "s3cr3t" not in one.key


def test_a_directory_changes_the_key_by_its_content_not_its_location(tmp_path: Path) -> None:
    def tree(name: str, text: str) -> DirValue:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "a.txt").write_text(text)
        return DirValue(folder, tree_digest(folder))

    state = ContainerState(key="root", image="img")
    add = engine(tmp_path)._Container_withDirectory
    same_a = asyncio.run(add(state, path="/src", source=tree("a", "x")))
    same_b = asyncio.run(add(state, path="/src", source=tree("b", "x")))
    changed = asyncio.run(add(state, path="/src", source=tree("c", "y")))
    assert same_a.key == same_b.key != changed.key


def test_expand_reads_the_containers_own_environment(tmp_path: Path) -> None:
    state = ContainerState(key="root", image="img", env=(("PATH", "/usr/bin"),))
    handler = engine(tmp_path)._Container_withEnvVariable
    after = asyncio.run(handler(state, name="PATH", value="/opt/venv/bin:$PATH", expand=True))
    assert dict(after.env)["PATH"] == "/opt/venv/bin:/usr/bin"


def test_a_call_the_rehearsal_does_not_know_is_a_gap_naming_it(tmp_path: Path) -> None:
    unknown = Field("Container", "withServiceBinding", {"alias": "db"})
    with pytest.raises(RehearsalGap, match=r"Container\.withServiceBinding\(alias='db'\)"):
        asyncio.run(engine(tmp_path).resolve([Field("Query", "container", {}), unknown]))


def test_an_argument_the_rehearsal_does_not_know_is_a_gap_naming_it(tmp_path: Path) -> None:
    call = Field("Container", "withExec", {"args": ["true"], "redirectStdout": "/out"})
    with pytest.raises(RehearsalGap, match=r"withExec\(\['true'\]\) with redirectStdout"):
        asyncio.run(engine(tmp_path).resolve([Field("Query", "container", {}), call]))


def test_a_host_folder_is_uploaded_once_per_call_however_often_its_query_is_resolved(tmp_path: Path) -> None:
    """The SDK re-sends `host.directory(...)` with every step that uses the folder; the engine uploads an
    argument once per call, so a second resolve must not stage (copy and hash) the tree again."""
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "a.txt").write_text("x")
    rehearsal = engine(tmp_path)
    first = asyncio.run(rehearsal._Host_directory(HostValue(), path=str(folder), exclude=["b.txt"]))
    (folder / "a.txt").write_text("changed after the upload")
    again = asyncio.run(rehearsal._Host_directory(HostValue(), path=str(folder), exclude=["b.txt"]))
    other = asyncio.run(rehearsal._Host_directory(HostValue(), path=str(folder), exclude=[]))

    assert again == first
    assert (first.path / "a.txt").read_text() == "x"
    assert other.digest != first.digest  # another filter is another upload, of the tree as it is now
