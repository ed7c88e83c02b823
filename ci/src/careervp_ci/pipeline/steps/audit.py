"""`audit`: known vulnerabilities in the locked Python and Node dependencies: what ships and what builds it.

pip-audit checks uv.lock's runtime dependencies and its tools; npm audit checks the root lock and the SPA's,
dev dependencies included (they build the artifact). Each lock's result says how many packages the tool
checked: an audit that checked none proves nothing, so it fails (`npm audit --omit=dev` of the root lock,
all dev tools, once checked 0 of 238 and passed). `audit.json` records each lock's count and verdict.

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

REPORT = "audit.json"
"""Per lock: `{"locks": [{"lock", "scope", "tool", "checked", "verdict"}]}`; "unverified" also gives why."""
ALLOWLIST = "audit-allowlist.toml"
"""Entries: [[allow]] id = "GHSA-...", package = "name", reason = "why it cannot bite us",
expires = 2026-12-31 (a TOML date)."""

UV_EXPORT = ("uv", "export", "--frozen", "--format", "requirements-txt", "--no-emit-workspace")
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


@dataclass(frozen=True)
class LockAudit:
    """One lock (or one scope of it) audited by one tool: how many packages the tool checked, what it found,
    and why it could not check (`gap`: the service was unreachable), if it could not."""

    lock: str
    scope: str
    tool: str
    checked: int
    findings: list[Finding]
    gap: str | None = None

    def verdict(self, allowances: list[Allowance]) -> str:
        if self.gap:
            return "unverified"
        blocking = [f for f in self.findings if f.blocking and not any(a.covers(f) for a in allowances)]
        return "failed" if blocking or self.checked == 0 else "passed"

    def record(self, allowances: list[Allowance]) -> dict[str, Any]:
        return {
            "lock": self.lock,
            "scope": self.scope,
            "tool": self.tool,
            "checked": self.checked,
            "verdict": self.verdict(allowances),
            **({"reason": self.gap} if self.gap else {}),
        }


PYTHON_SCOPES = (
    ("runtime", ("--no-dev",)),
    ("tools", ("--only-dev",)),
)
"""What ships in the Lambda package (the project's dependencies), and the dev group: the tools that build,
check and deploy it."""
NODE_LOCKS = ("package-lock.json", "frontend/package-lock.json")
"""The root lock (the Node tools) and the SPA's (its packages build what ships to users): both audited with
their dev dependencies, because those build the artifact."""


def pip_checked(report: dict[str, Any]) -> int:
    """Packages pip-audit looked up (a skipped one, e.g. not on PyPI, was not checked)."""
    return sum(1 for dependency in report.get("dependencies", []) if "skip_reason" not in dependency)


def npm_checked(report: dict[str, Any]) -> int:
    """Packages npm audit sent for checking (its `metadata.dependencies.total`)."""
    return int(report.get("metadata", {}).get("dependencies", {}).get("total", 0))


def audit_python(ctx: StepContext, scope: str, export_flags: tuple[str, ...]) -> LockAudit:
    """pip-audit of one scope of uv.lock."""
    requirements = ctx.report_dir / f"requirements.{scope}.txt"
    exported = ctx.run([*UV_EXPORT, *export_flags, "-o", str(requirements)])
    if not exported.ok:
        raise RuntimeError(f"uv export ({scope}) failed: {exported.output.strip()[:300]}")
    report_file = ctx.report_dir / f"pip-audit.{scope}.json"
    audited = ctx.run([*PIP_AUDIT, "-r", str(requirements), "--format", "json", "--output", str(report_file)])
    if not audited.ok and any(marker in audited.output for marker in UNREACHABLE_MARKERS):
        lines = [line.strip() for line in audited.output.splitlines() if line.strip()]
        first = next((line for line in lines if "could not be audited" in line), lines[-1])
        gap = f"pip-audit could not reach the vulnerability service: {first}"
        return LockAudit("uv.lock", scope, "pip-audit", 0, [], gap)
    if not report_file.is_file():
        raise RuntimeError(f"pip-audit ({scope}) wrote no report: {audited.output.strip()[:300]}")
    report = json.loads(report_file.read_text(encoding="utf-8"))
    return LockAudit("uv.lock", scope, "pip-audit", pip_checked(report), pip_findings(report))


def audit_node(ctx: StepContext, lock: str) -> LockAudit | None:
    """npm audit of one lock, dev dependencies included; None when the tree has no such lock."""
    lock_file = ctx.src / lock
    if not lock_file.is_file():
        return None
    audited = ctx.run(["npm", "audit", "--include=dev", "--json"], cwd=lock_file.parent)
    name = lock.replace("/", "-").removesuffix(".json")
    (ctx.report_dir / f"npm-audit.{name}.json").write_text(audited.output, encoding="utf-8")
    start = audited.output.find("{")
    report: dict[str, Any] = json.JSONDecoder().raw_decode(audited.output[start:])[0] if start >= 0 else {}
    # raw_decode: npm prints its JSON, then (offline) `npm error` lines
    error = report.get("error") or (report.get("message") if "vulnerabilities" not in report else None)
    if error or not report:
        detail = (error.get("summary") or report.get("message")) if isinstance(error, dict) else error
        gap = f"npm audit could not reach the vulnerability service: {detail or audited.output[:200]}"
        return LockAudit(lock, "with dev dependencies", "npm audit", 0, [], gap)
    return LockAudit(lock, "with dev dependencies", "npm audit", npm_checked(report), npm_findings(report))


def audits(ctx: StepContext) -> list[LockAudit]:
    python = [audit_python(ctx, scope, flags) for scope, flags in PYTHON_SCOPES]
    node = [found for lock in NODE_LOCKS if (found := audit_node(ctx, lock)) is not None]
    return python + node


def write_report(ctx: StepContext, results: list[LockAudit], allowances: list[Allowance]) -> None:
    """`audit.json`: per lock, the tool, how many packages it checked and its verdict."""
    document = {"locks": [result.record(allowances) for result in results]}
    (ctx.report_dir / REPORT).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def run(ctx: StepContext) -> StepOutcome:
    allowances, problems = load_allowlist(ctx.src, dt.datetime.now(dt.UTC).date())
    if problems:
        return ctx.failed("the vulnerability allowlist has invalid or expired entries", details=problems)
    try:
        results = audits(ctx)
    except RuntimeError as error:
        return ctx.failed("the audit could not run", details=[str(error)])
    write_report(ctx, results, allowances)
    counts = [
        f"{r.lock} ({r.scope}): {r.checked} packages checked by {r.tool}, {r.verdict(allowances)}"
        for r in results
    ]
    findings = [finding for result in results for finding in result.findings]
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
            details=[finding.summary for finding in unallowed] + below + counts,
        )
    empty = [r for r in results if not r.gap and r.checked == 0]
    if empty:
        return ctx.failed(
            "an audit checked no package: a lock audited that way proves nothing",
            details=[f"{r.lock} ({r.scope}): {r.tool} checked 0 packages" for r in empty] + counts,
        )
    gaps = [r.gap for r in results if r.gap]
    if gaps:
        return ctx.unverified(
            "vulnerabilities NOT checked: a vulnerability service was unreachable",
            details=gaps + below + counts,
        )
    return ctx.passed(
        "no high or critical vulnerability outside the allowlist", notes=counts + allowed + below
    )


STEP = Step(
    name="audit",
    summary="pip-audit --strict (runtime, tools) + npm audit with dev dependencies (root, frontend); "
    "per lock the packages checked (0: failed); unreachable = unverified",
    run=run,
    inputs=("uv.lock", "package.json", "package-lock.json", "frontend/package-lock.json", ALLOWLIST),
    tools=("pip-audit",),
    cacheable=False,
    reports=(
        REPORT,
        "pip-audit.runtime.json",
        "pip-audit.tools.json",
        "npm-audit.package-lock.json",
        "npm-audit.frontend-package-lock.json",
        "requirements.runtime.txt",
        "requirements.tools.txt",
    ),
)
