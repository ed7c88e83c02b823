"""Runs the happy-path suite (careervp_ci.release.e2e_suite) against an API base URL with pytest, in-process.

The suite ships in the pipeline package, so a release runner or container has it without the repository's
tests. Its own pytest configuration is used, never the project's (`-c` an empty file, no cache, no plugins
that reorder), so the verdict is the same wherever it runs; every test's outcome comes back as a line.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from careervp_ci.release import e2e_suite


@dataclass
class _Suite:
    """A pytest plugin: provides the `api` fixture and records each test's verdict."""

    api_value: e2e_suite.Api
    lines: list[str] = field(default_factory=list)

    @pytest.fixture
    def api(self) -> e2e_suite.Api:
        return self.api_value

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        name = report.nodeid.rsplit("::", 1)[-1]
        if report.when == "call" or (report.when == "setup" and not report.passed):
            mark = "ok  " if report.passed else "FAIL"
            detail = "" if report.passed else f": {_why(report)}"
            self.lines.append(f"{mark} e2e: {name} ({report.duration:.2f}s){detail}")


def _why(report: pytest.TestReport) -> str:
    """The assertion pytest explains (its `E ` lines), then where it failed."""
    lines = report.longreprtext.splitlines()
    explained = [line[1:].strip() for line in lines if line.startswith("E ")][:3]
    where = next((line for line in reversed(lines) if ".py:" in line), "")
    return "; ".join([*explained, where])[:400]


@dataclass(frozen=True)
class E2EResult:
    lines: list[str]
    exit_code: int

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and bool(self.lines) and all(line.startswith("ok") for line in self.lines)


def run_suite(base_url: str, webhook_secret: str, id_token: str, junit: Path | None = None) -> E2EResult:
    """Every journey of the suite against `base_url`; a suite that collected nothing is a failure."""
    plugin = _Suite(e2e_suite.Api(base_url, webhook_secret, id_token))
    with tempfile.TemporaryDirectory() as scratch:
        config = Path(scratch) / "pytest.ini"
        config.write_text("[pytest]\n", encoding="utf-8")
        args = ["-q", "-c", str(config), "--rootdir", scratch, "-p", "no:cacheprovider", "-p", "no:randomly"]
        args += ["-p", "no:cov", "-p", "no:xdist", str(Path(e2e_suite.__file__))]
        if junit:
            args += ["--junitxml", str(junit)]
        code = int(pytest.main(args, plugins=[plugin]))
    if not plugin.lines:
        plugin.lines.append(f"FAIL e2e: no journey ran (pytest exit {code})")
    return E2EResult(plugin.lines, code)
