"""Setup skips npm install scripts: that must skip only the native XML build the JSON SBOM never loads."""

from __future__ import annotations

import json
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[3]
SKIPPED_ON_PURPOSE = {"node_modules/libxmljs2"}
"""Optional for @cyclonedx/cyclonedx-npm (XML validation only); its build took ~80 s of `npm ci`."""


def test_the_only_npm_package_with_an_install_script_is_the_one_skipped_on_purpose() -> None:
    packages = json.loads((REPOSITORY / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    scripted = {path for path, package in packages.items() if package.get("hasInstallScript")}
    assert scripted == SKIPPED_ON_PURPOSE, f"a new install script would be skipped by setup: {scripted}"
    assert all(packages[path].get("optional") for path in scripted)
