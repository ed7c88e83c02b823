"""The Lambda package must not name the build machine's folders, and only whole paths count as naming one
(the container build checks out at `/src`, which occurs inside URLs in third-party sources)."""

from __future__ import annotations

from pathlib import Path

import pytest
from careervp_ci.release.build import BuildError, check_no_machine_paths


def package_with(tmp_path: Path, text: str) -> Path:
    package = tmp_path / "lambda"
    (package / "lib").mkdir(parents=True)
    (package / "lib" / "module.py").write_text(text)
    return package


@pytest.mark.parametrize("text", ["#!/src/.venv/bin/python\n", 'ROOT = "/src"\n', "path=/src/careervp\n"])
def test_a_file_naming_the_checkout_is_refused_with_its_name(tmp_path: Path, text: str) -> None:
    with pytest.raises(
        BuildError, match=r"lib/module.py in the Lambda package contains the machine path '/src'"
    ):
        check_no_machine_paths(package_with(tmp_path, text), [Path("/src")])


@pytest.mark.parametrize(
    "text",
    ["# https://github.com/urllib3/urllib3/blob/7e856c0/src/urllib3/util/url.py\n", "x = '/srcery'\n"],
)
def test_the_same_letters_inside_a_url_or_a_longer_name_are_not_a_machine_path(
    tmp_path: Path, text: str
) -> None:
    check_no_machine_paths(package_with(tmp_path, text), [Path("/src")])
