"""`audit`: known vulnerabilities in the locked Python and Node dependencies.

Three verdicts, never a false green:
- failed: a high or critical vulnerability not covered by a valid allowlist entry (pip-audit reports no
  severity, so a Python finding counts as high), or an allowlist entry that is expired or lacks a reason /
  expiry date; low and moderate ones are listed in the notes, as the strategy asks ("fail on high/critical");
- unverified: a vulnerability service could not be reached, so nothing can be said (pip-audit without
  `--strict` would print "No known vulnerabilities" here; with it, an unauditable dependency is an error);
- passed: both services answered and every finding is allowed.
Never cached: new advisories appear without any file in the tree changing.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from careervp_ci.pipeline.steps.context import StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step

ALLOWLIST = "audit-allowlist.toml"
"""Entries: [[allow]] id = "GHSA-...", package = "name", reason = "why it cannot bite us",
expires = 2026-12-31 (a TOML date)."""

PIP_AUDIT = ("pip-audit", "--disable-pip", "--strict", "--progress-spinner", "off")
UNREACHABLE_MARKERS = ("could not be audited", "Connection", "ConnectTimeout", "Max retries exceeded")


BLOCKING = frozenset({"high", "critical", "unknown"})
"""Severities that fail the step; "unknown" is pip-audit's (its JSON carries none): never let one through."""


@dataclass(frozen=True)
class Finding:
    package: str
    ids: frozenset[str]
    summary: str
    severity: str = field(default="unknown", compare=False)
    """npm audit's severity; pip-audit reports none ("unknown", which blocks)."""

    @property
    def blocking(self) -> bool:
        return self.severity in BLOCKING


@dataclass(frozen=True)
class Allowance:
    id: str
    package: str
    reason: str
    expires: dt.date

    def covers(self, finding: Finding) -> bool:
        return self.package == finding.package and self.id in finding.ids


def load_allowlist(src: Path, today: dt.date) -> tuple[list[Allowance], list[str]]:
    """Valid, unexpired entries, and the problems (expired, missing reason or expiry) that fail the step."""
    path = src / ALLOWLIST
    if not path.is_file():
        return [], []
    allowances, problems = [], []
    for index, entry in enumerate(tomllib.loads(path.read_text(encoding="utf-8")).get("allow", []), start=1):
        where = f"{ALLOWLIST}: entry {index} ({entry.get('id', '?')} in {entry.get('package', '?')})"
        expires = entry.get("expires")
        if not str(entry.get("reason", "")).strip():
            problems.append(f"{where} has no reason; say why the vulnerability cannot be exploited here")
        elif not isinstance(expires, dt.date):
            problems.append(f"{where} needs an expiry date (expires = YYYY-MM-DD), got {expires!r}")
        elif expires < today:
            problems.append(
                f"{where} expired on {expires.isoformat()}; fix the dependency or renew with a reason"
            )
        else:
            allowances.append(
                Allowance(str(entry["id"]), str(entry.get("package", "")), entry["reason"], expires)
            )
    return allowances, problems


def pip_findings(report: dict[str, Any]) -> list[Finding]:
    findings = []
    for dependency in report.get("dependencies", []):
        for vuln in dependency.get("vulns", []):
            ids = frozenset([vuln["id"], *vuln.get("aliases", [])])
            findings.append(
                Finding(
                    dependency["name"], ids, f"{dependency['name']} {dependency['version']}: {vuln['id']}"
                )
            )
    return findings


def npm_findings(report: dict[str, Any]) -> list[Finding]:
    findings = []
    for name, vulnerability in report.get("vulnerabilities", {}).items():
        for via in vulnerability.get("via", []):
            if isinstance(via, dict):
                ids = frozenset({str(via.get("source", "")), str(via.get("url", "")).rsplit("/", 1)[-1]})
                severity = str(via.get("severity") or vulnerability.get("severity") or "unknown").lower()
                findings.append(Finding(name, ids, f"{name} ({severity}): {via.get('title')}", severity))
    return findings


def audit_python(ctx: StepContext) -> tuple[list[Finding], str | None]:
    """Findings, or the reason the Python side could not be verified."""
    requirements = ctx.report_dir / "requirements.locked.txt"
    exported = ctx.run(
        [
            "uv",
            "export",
            "--frozen",
            "--format",
            "requirements-txt",
            "--no-emit-workspace",
            "-o",
            str(requirements),
        ]
    )
    if not exported.ok:
        raise RuntimeError(f"uv export failed: {exported.output.strip()[:300]}")
    report_file = ctx.report_dir / "pip-audit.json"
    audited = ctx.run([*PIP_AUDIT, "-r", str(requirements), "--format", "json", "--output", str(report_file)])
    if not audited.ok and any(marker in audited.output for marker in UNREACHABLE_MARKERS):
        lines = [line.strip() for line in audited.output.splitlines() if line.strip()]
        first = next((line for line in lines if "could not be audited" in line), lines[-1])
        return [], f"pip-audit could not reach the vulnerability service: {first}"
    if not report_file.is_file():
        raise RuntimeError(f"pip-audit wrote no report: {audited.output.strip()[:300]}")
    return pip_findings(json.loads(report_file.read_text(encoding="utf-8"))), None


def audit_node(ctx: StepContext) -> tuple[list[Finding], str | None]:
    if not (ctx.src / "package-lock.json").is_file():
        return [], None
    audited = ctx.run(["npm", "audit", "--omit=dev", "--json"])
    (ctx.report_dir / "npm-audit.json").write_text(audited.output, encoding="utf-8")
    start = audited.output.find("{")
    report: dict[str, Any] = json.loads(audited.output[start:]) if start >= 0 else {}
    error = report.get("error") or (report.get("message") if "vulnerabilities" not in report else None)
    if error or not report:
        detail = error.get("summary", error) if isinstance(error, dict) else error
        return [], f"npm audit could not reach the vulnerability service: {detail or audited.output[:200]}"
    return npm_findings(report), None


def run(ctx: StepContext) -> StepOutcome:
    allowances, problems = load_allowlist(ctx.src, dt.datetime.now(dt.UTC).date())
    if problems:
        return ctx.failed("the vulnerability allowlist has invalid or expired entries", details=problems)
    try:
        python_findings, python_gap = audit_python(ctx)
        node_findings, node_gap = audit_node(ctx)
    except RuntimeError as error:
        return ctx.failed("the audit could not run", details=[str(error)])
    findings = python_findings + node_findings
    open_findings = [f for f in findings if not any(a.covers(f) for a in allowances)]
    unallowed = [f for f in open_findings if f.blocking]
    below = [f"below high, not failing: {f.summary}" for f in open_findings if not f.blocking]
    allowed = [
        f"allowed until {a.expires}: {f.summary} ({a.reason})"
        for f in findings
        for a in allowances
        if a.covers(f)
    ]
    if unallowed:
        return ctx.failed(
            f"{len(unallowed)} high or critical vulnerabilit{'y' if len(unallowed) == 1 else 'ies'} not in "
            f"{ALLOWLIST}",
            details=[finding.summary for finding in unallowed] + below,
        )
    gaps = [gap for gap in (python_gap, node_gap) if gap]
    if gaps:
        return ctx.unverified(
            "vulnerabilities NOT checked: a vulnerability service was unreachable", details=gaps + below
        )
    return ctx.passed("no high or critical vulnerability outside the allowlist", notes=allowed + below)


STEP = Step(
    name="audit",
    summary="pip-audit --strict (locked requirements) + npm audit --omit=dev; unreachable = unverified",
    run=run,
    inputs=("uv.lock", "package.json", "package-lock.json", ALLOWLIST),
    tools=("pip-audit",),
    cacheable=False,
    reports=("pip-audit.json", "npm-audit.json", "requirements.locked.txt"),
)
