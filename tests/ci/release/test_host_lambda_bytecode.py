"""The Lambda package's bytecode: unchecked-hash .pyc named as under /var/task, the same bytes from any
checkout path, a module that does not compile or a code zip that lost a .pyc refused by name; and the handlers
import without loading the AWS SDK."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest
from careervp_ci.release.build import BuildError, check_bytecode, compile_bytecode
from careervp_infra.assets import deterministic_zip

MODULE = (
    'KINDS = {"cv", "letter", "profile", "notes"}\n\n\ndef known(kind: str) -> bool:\n'
    + "    return kind in KINDS\n"
)
"""A set constant: marshalled in string-hash order, so it differs between runs unless the seed is fixed."""
UNCHECKED_HASH = 0b01
REPOSITORY = Path(__file__).resolve().parents[3]


def compiled(root: Path) -> dict[str, bytes]:
    package = root / "careervp"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "kinds.py").write_text(MODULE, encoding="utf-8")
    compile_bytecode(root)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.pyc"))}


def test_bytecode_is_the_same_from_two_checkout_paths_and_never_checks_the_source(tmp_path: Path) -> None:
    first, second = compiled(tmp_path / "one"), compiled(tmp_path / "elsewhere" / "two")
    assert first == second and len(first) == 2
    pyc = next(data for name, data in first.items() if "kinds" in name)
    assert int.from_bytes(pyc[4:8], "little") == UNCHECKED_HASH
    assert marshal.loads(pyc[16:]).co_filename  # noqa: S302  (bytes this test just compiled) == "/var/task/careervp/kinds.py"


def test_a_module_that_does_not_compile_stops_the_build_naming_it(tmp_path: Path) -> None:
    compiled(tmp_path / "asset")
    (tmp_path / "asset" / "careervp" / "broken.py").write_text("def f(:\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"compile bytecode(.|\n)*broken\.py"):
        compile_bytecode(tmp_path / "asset")


def test_a_code_zip_with_a_module_lacking_its_bytecode_is_refused_naming_the_module(tmp_path: Path) -> None:
    package = tmp_path / "package"
    pyc = compiled(package)
    whole = tmp_path / "asset.abc.zip"
    whole.write_bytes(deterministic_zip(package))
    check_bytecode(whole)
    (package / next(name for name in pyc if "kinds" in name)).unlink()
    lacking = tmp_path / "asset.def.zip"
    lacking.write_bytes(deterministic_zip(package))
    with pytest.raises(
        BuildError, match=r"asset\.def\.zip holds 1 module\(s\) without bytecode, first careervp/kinds\.py"
    ):
        check_bytecode(lacking)


def test_handlers_import_without_the_aws_sdk() -> None:
    code = (
        "import sys\n"
        "for name in ('health', 'kb', 'gap', 'billing'):\n"
        "    __import__(f'careervp.handlers.{name}')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'boto3', 's3transfer'}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY / "src" / "backend")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
