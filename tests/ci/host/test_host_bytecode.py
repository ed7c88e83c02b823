"""The venv's bytecode is compiled once per lock and unpacked after that, never trusted over its source."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from careervp_ci.host.bytecode import KEPT, Venv, ensure, keep
from careervp_ci.release.artifact import sha256_file
from support.uv import uv

MODULE = (
    Path(".venv/lib") / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages" / "demo_mod.py"
)
PYPROJECT = '[project]\nname = "demo"\nversion = "0"\nrequires-python = ">=3.11"\ndependencies = []\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real uv project, locked and synced offline, with one module in its venv's site-packages.

    $UV_PROJECT_ENVIRONMENT names some other venv here, as in the toolchain container (its own, /opt/venv):
    a sync that honoured it would empty that venv under the running tests."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    own = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(root / ".venv")}
    for command in ("lock", "sync"):
        argv = [uv(), command, "--offline", "--quiet", "--python", sys.executable]
        subprocess.run(argv, cwd=root, env=own, check=True)
    monkeypatch.setenv("UV_PROJECT_ENVIRONMENT", str(tmp_path / "someone-elses-venv"))
    (root / MODULE).write_text("VALUE = 1\n", encoding="utf-8")
    return root


def bytecode_of(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in Venv(root, uv()).bytecode()}


def forget_bytecode(root: Path) -> None:
    for name in Venv(root, uv()).bytecode():
        (root / name).unlink()


def test_a_fresh_venv_of_the_same_lock_unpacks_the_compiled_bytes_without_compiling(
    project: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    assert ensure(Venv(project, uv()), cache) == "compiled"
    compiled = bytecode_of(project)
    assert len(compiled) == 1
    assert {int.from_bytes(data[4:8], "little") for data in compiled.values()} == {3}, "checked-hash .pyc"
    assert not (tmp_path / "someone-elses-venv").exists(), "uv compiled this project's venv, not another"

    forget_bytecode(project)
    assert ensure(Venv(project, str(tmp_path / "no-uv-here")), cache) == "unpacked"
    assert bytecode_of(project) == compiled


def test_a_module_whose_source_differs_from_the_unpacked_bytecode_is_imported_from_its_source(
    project: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    ensure(Venv(project, uv()), cache)
    forget_bytecode(project)
    (project / MODULE).write_text("VALUE = 2\n", encoding="utf-8")
    assert ensure(Venv(project, uv()), cache) == "unpacked"

    python = project / ".venv/bin/python"
    shown = subprocess.run(
        [str(python), "-c", "import demo_mod; print(demo_mod.VALUE)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "2"


def test_an_archive_that_does_not_hash_to_its_sidecar_is_refused_and_the_venv_compiled(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    venv = Venv(project, uv())
    ensure(venv, cache)
    compiled = bytecode_of(project)
    archive = cache / f"{venv.key()}.tar"
    planted = io.BytesIO()
    with tarfile.open(fileobj=planted, mode="w") as tar:
        for name, data in compiled.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data[:16] + b"planted" + data[23:]))
    archive.write_bytes(planted.getvalue())
    forget_bytecode(project)

    assert ensure(venv, cache) == "compiled"
    assert "does not hash to" in capsys.readouterr().err
    assert bytecode_of(project) == compiled
    assert sha256_file(archive) == archive.with_suffix(".sha256").read_text(encoding="ascii").strip()


def test_another_lock_is_another_archive_and_only_the_newest_are_kept(project: Path, tmp_path: Path) -> None:
    venv = Venv(project, uv())
    first = venv.key()
    lock = project / "uv.lock"
    lock.write_text(lock.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert venv.key() != first

    cache = tmp_path / "cache"
    names = [f"{index}.tar" for index in range(KEPT + 1)]
    for name in names:
        keep(venv, cache / name)
    assert sorted(path.name for path in cache.iterdir()) == sorted(
        f"{Path(name).stem}{suffix}" for name in names[1:] for suffix in (".tar", ".sha256")
    )
