"""The build's pieces on their own (no build): the pinned uv, the installer's leftovers, and the check that
every function runs on the architecture the Lambda package was built for. The whole build, listed file by
file, is tests/e2e/test_lambda_package.py; its bytecode, test_host_lambda_bytecode.py; its machine paths,
test_release_machine_paths.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from careervp_ci.release.build import (
    LAMBDA_ARCHITECTURE,
    BuildError,
    check_architecture,
    find_uv,
    pinned_uv_version,
    strip_installer_leftovers,
)


def test_console_scripts_and_the_installer_lock_leave_the_package_and_its_record(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "jp.py").write_text("#!/some/checkout/.venv/bin/python\n")
    (tmp_path / ".lock").write_text("")
    (tmp_path / "jmespath-1.1.0.dist-info").mkdir()
    record = tmp_path / "jmespath-1.1.0.dist-info" / "RECORD"
    record.write_text("jmespath/__init__.py,sha256=x,1\nbin/jp.py,sha256=y,2\n")
    strip_installer_leftovers(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jmespath-1.1.0.dist-info"]
    assert record.read_text() == "jmespath/__init__.py,sha256=x,1\n"


def test_without_the_pinned_uv_the_build_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Makefile").write_text("UV_VERSION := 0.13.8\n")
    monkeypatch.delenv("UV", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("sys.prefix", str(tmp_path / "venv"))
    with pytest.raises(BuildError, match=r"needs uv 0\.13\.8 .* found no uv at all; run `make setup`"):
        find_uv(tmp_path)


def test_the_build_uses_the_uv_the_makefile_pins(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("PYTHON ?= python3\nUV_VERSION := 0.13.8\n")
    assert pinned_uv_version(tmp_path) == "0.13.8"


def test_a_makefile_without_a_uv_pin_stops_the_build_naming_it(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("all:\n\ttrue\n")
    with pytest.raises(BuildError, match=r"Makefile does not pin uv \(`UV_VERSION := X\.Y\.Z`\)"):
        pinned_uv_version(tmp_path)


def template_with_function(tmp_path: Path, architectures: list[str] | None) -> Path:
    properties = {} if architectures is None else {"Architectures": architectures}
    resources = {"Fn": {"Type": "AWS::Lambda::Function", "Properties": properties}}
    (tmp_path / "stack.template.json").write_text(json.dumps({"Resources": resources}))
    return tmp_path


def test_functions_on_the_packages_architecture_pass(tmp_path: Path) -> None:
    check_architecture(template_with_function(tmp_path, [LAMBDA_ARCHITECTURE]))


@pytest.mark.parametrize("architectures", [["x86_64"], None])
def test_a_function_on_another_architecture_stops_the_build_naming_it(
    tmp_path: Path, architectures: list[str] | None
) -> None:
    with pytest.raises(BuildError, match=r"function Fn runs on \['x86_64'\], but the Lambda package"):
        check_architecture(template_with_function(tmp_path, architectures))
