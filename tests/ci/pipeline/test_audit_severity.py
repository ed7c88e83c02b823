"""`audit` fails on high and critical vulnerabilities (and on Python ones, whose severity pip-audit does not
report); low and moderate ones are listed without failing, as the strategy asks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from careervp_ci.pipeline.steps import audit
from careervp_ci.pipeline.steps.context import Status, StepContext, StepOutcome

NPM_REPORT = {
    "vulnerabilities": {
        "semver": {"severity": "moderate", "via": [{"source": 1, "url": "x/GHSA-m", "title": "ReDoS"}]},
        "tar": {"severity": "critical", "via": [{"source": 2, "url": "x/GHSA-c", "title": "path traversal"}]},
    }
}


def test_npm_severity_decides_whether_a_finding_blocks() -> None:
    moderate, critical = audit.npm_findings(NPM_REPORT)
    assert (moderate.severity, moderate.blocking) == ("moderate", False)
    assert (critical.severity, critical.blocking) == ("critical", True)


def test_a_python_finding_without_severity_blocks() -> None:
    [finding] = audit.pip_findings(
        {"dependencies": [{"name": "jinja2", "version": "3.0.0", "vulns": [{"id": "PYSEC-9"}]}]}
    )
    assert finding.severity == "unknown"
    assert finding.blocking


def run_with(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, npm: dict[str, Any]) -> StepOutcome:
    checked = [
        audit.LockAudit("uv.lock", "runtime", "pip-audit", 15, []),
        audit.LockAudit(
            "package-lock.json", "with dev dependencies", "npm audit", 238, audit.npm_findings(npm)
        ),
    ]
    monkeypatch.setattr(audit, "audits", lambda ctx: checked)
    ctx = StepContext("audit", tmp_path, tmp_path / "reports", {}, tmp_path / "bin")
    ctx.report_dir.mkdir()
    return audit.run(ctx)


def test_only_moderate_findings_pass_and_are_listed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    moderate_only = {"vulnerabilities": {"semver": NPM_REPORT["vulnerabilities"]["semver"]}}
    outcome = run_with(monkeypatch, tmp_path, moderate_only)
    assert outcome.status is Status.PASSED
    assert outcome.notes[-1] == "below high, not failing: semver (moderate): ReDoS"
    assert outcome.notes[0] == "uv.lock (runtime): 15 packages checked by pip-audit, passed"


def test_a_critical_finding_fails_and_names_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    outcome = run_with(monkeypatch, tmp_path, NPM_REPORT)
    assert outcome.status is Status.FAILED
    assert outcome.message.startswith("1 high or critical vulnerability not in audit-allowlist.toml")
    assert outcome.details[0] == "tar (critical): path traversal"
