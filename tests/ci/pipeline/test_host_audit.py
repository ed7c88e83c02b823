"""`audit` is never green when it could not check; its allowlist takes only reasoned, unexpired entries."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from careervp_ci.pipeline.steps.audit import Finding, load_allowlist, npm_findings, pip_findings
from support.fixture_project import CliRunner, write

REPOSITORY = Path(__file__).resolve().parents[3]
UNREACHABLE = {
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "npm_config_registry": "http://127.0.0.1:9/",
}
TODAY = dt.date(2026, 6, 1)


def test_unreachable_vulnerability_service_ends_unverified_and_exits_1(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    locks = (
        "pyproject.toml",
        "uv.lock",
        "ci/pyproject.toml",
        "frontend/package.json",
        "frontend/package-lock.json",
    )
    for locked in locks:
        (fixture_tree / locked).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPOSITORY / locked, fixture_tree / locked)
    result = careervp_ci("audit", cwd=fixture_tree, env=UNREACHABLE)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "audit unverified" in result.stdout
    assert "UNVERIFIED (not a pass)" in result.stdout
    assert "pip-audit could not reach the vulnerability service" in result.stdout
    assert "npm audit could not reach the vulnerability service" in result.stdout
    assert "audit passed" not in result.stdout
    summary = (fixture_tree / ".reports/summary.md").read_text()
    assert "| ? `audit` | UNVERIFIED |" in summary
    assert "NOT VERIFIED" in summary
    again = careervp_ci("audit", cwd=fixture_tree, env=UNREACHABLE)
    assert "audit cached" not in again.stdout


def allowlist(tree: Path, entry: str) -> list[str]:
    write(tree, "audit-allowlist.toml", f"[[allow]]\n{entry}\n")
    return load_allowlist(tree, TODAY)[1]


def test_allowlist_entry_without_reason_is_refused(tmp_path: Path) -> None:
    problems = allowlist(tmp_path, 'id = "GHSA-1"\npackage = "jinja2"\nexpires = 2026-12-31')
    assert problems == [
        "audit-allowlist.toml: entry 1 (GHSA-1 in jinja2) has no reason; "
        "say why the vulnerability cannot be exploited here"
    ]


def test_allowlist_entry_without_expiry_is_refused(tmp_path: Path) -> None:
    problems = allowlist(tmp_path, 'id = "GHSA-1"\npackage = "jinja2"\nreason = "templates are static"')
    assert "needs an expiry date" in problems[0]


def test_expired_allowlist_entry_fails(tmp_path: Path) -> None:
    problems = allowlist(
        tmp_path, 'id = "GHSA-1"\npackage = "jinja2"\nreason = "static"\nexpires = 2026-05-31'
    )
    assert "expired on 2026-05-31" in problems[0]


def test_valid_entry_covers_only_its_package_and_advisory(tmp_path: Path) -> None:
    write(
        tmp_path,
        "audit-allowlist.toml",
        '[[allow]]\nid = "GHSA-1"\npackage = "jinja2"\nreason = "static"\nexpires = 2026-06-01\n',
    )
    allowances, problems = load_allowlist(tmp_path, TODAY)
    assert problems == []
    assert allowances[0].covers(Finding("jinja2", frozenset({"PYSEC-9", "GHSA-1"}), ""))
    assert not allowances[0].covers(Finding("jinja2", frozenset({"GHSA-2"}), ""))
    assert not allowances[0].covers(Finding("flask", frozenset({"GHSA-1"}), ""))


def test_findings_are_read_from_pip_audit_and_npm_audit_reports() -> None:
    pip_report = {
        "dependencies": [
            {"name": "jinja2", "version": "3.0.0", "vulns": [{"id": "PYSEC-9", "aliases": ["GHSA-1"]}]},
            {"name": "six", "version": "1.16.0", "vulns": []},
        ]
    }
    npm_report = {
        "vulnerabilities": {
            "semver": {
                "severity": "high",
                "via": [{"source": 1101, "url": "https://github.com/advisories/GHSA-c2qf", "title": "ReDoS"}],
            },
            "parent": {"severity": "high", "via": ["semver"]},
        }
    }
    assert pip_findings(pip_report) == [
        Finding("jinja2", frozenset({"PYSEC-9", "GHSA-1"}), "jinja2 3.0.0: PYSEC-9")
    ]
    assert npm_findings(npm_report) == [
        Finding("semver", frozenset({"1101", "GHSA-c2qf"}), "semver (high): ReDoS"),
    ]
