"""`synth`: the CDK app synthesizes (cdk-nag runs inside it), cfn-lint finds no errors in the templates, and
the IaC security scanner (checkov, `iac_scan`) finds nothing without a written reason.

`python infra/app.py` builds the cloud assembly through `careervp_infra.assembly`; the CDK reads
`CDK_OUTDIR`, so the assembly (about 1 MB) lands in `.careervp/cdk.out`, never in the tree's own `cdk.out`.
It is a declared output: cached with a pass and restored on a hit, so `naming` checks this very assembly
instead of synthesizing a second time.

The scanners read copies of the templates with the Lambda code's hashes pinned (`template_copies`), and a
passed scan is kept (`scan_memo`): after a backend edit, which changes only those hashes, the step
synthesizes and takes the kept reports instead of scanning again.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import replace
from importlib.metadata import version
from typing import Any

from careervp_ci.pipeline.steps import iac_scan, template_copies
from careervp_ci.pipeline.steps.context import Status, StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step
from careervp_ci.pipeline.steps.sarif import Finding, write_log
from careervp_ci.pipeline.steps.scan_memo import ScanMemo
from careervp_ci.pipeline.steps.sources import BACKEND_SOURCES, INFRA_SOURCES, LOCKFILES, PROJECT_CONFIG

APP = "infra/app.py"
ASSEMBLY = ".careervp/cdk.out"
"""The cloud assembly (tree-relative): a declared output, so cached with a pass and restored on a hit."""
SCANNED = ".careervp/scanned"
"""The templates' pinned copies the scanners read (`template_copies`): tree-relative, so reports kept by
`scan_memo` name the same files in every run."""
CFN_LINT_OPTIONS = ("--format", "json", "--non-zero-exit-code", "error")
MEMO_REPORTS = ("cfn-lint.json", iac_scan.REPORT)
KEPT_NOTE = "cfn-lint and checkov: the templates, code hashes aside, are those of a kept pass"


CFN_LINT_LEVELS = {"Error": "error", "Warning": "warning", "Informational": "note"}


def cfn_lint_findings(report: str) -> list[Finding]:
    """cfn-lint's JSON matches as findings (the file:line a person opens: the assembly's, not the copy's)."""
    matches: list[dict[str, Any]] = json.loads(report) if report.strip() else []
    return [
        Finding(
            rule=match["Rule"]["Id"],
            level=CFN_LINT_LEVELS.get(match["Level"], "warning"),
            message=match["Message"],
            uri=ASSEMBLY + match["Filename"].removeprefix(SCANNED),
            line=int(match["Location"]["Start"]["LineNumber"]),
        )
        for match in matches
    ]


def run(ctx: StepContext) -> StepOutcome:
    if not (ctx.src / APP).is_file():
        return ctx.failed(
            f"{APP} is missing: there is no CDK app to synthesize", details=[f"{APP}: not found"]
        )
    outdir = ctx.src / ASSEMBLY
    shutil.rmtree(outdir, ignore_errors=True)
    synth = ctx.run(["python", APP], env={"CDK_OUTDIR": str(outdir)})
    if not synth.ok:
        return ctx.failed("the CDK app failed to synthesize (cdk-nag findings fail it too)", synth)
    templates = sorted(path.relative_to(ctx.src).as_posix() for path in outdir.rglob("*.template.json"))
    if not templates:
        return ctx.failed(
            f"synthesis produced no CloudFormation templates under {ASSEMBLY}",
            synth,
            details=[f"{APP}: does the app honour CDK_OUTDIR (cdk.App() reads it)?"],
        )
    try:
        identity = [f"cfn-lint {version('cfn-lint')}", *CFN_LINT_OPTIONS, *iac_scan.identity(ctx.src)]
    except iac_scan.ScannerMissing as missing:
        return ctx.failed("the IaC security scanner is not installed", details=[str(missing)])
    copies = template_copies.write(outdir, ctx.src / SCANNED)
    memo = None
    if ctx.state_dir is not None and not ctx.cache_discarded:
        memo = ScanMemo.of(ctx.state_dir, ctx.src / SCANNED, copies, identity, MEMO_REPORTS)
    if memo is not None and memo.restore(ctx.report_dir):
        kept = _verdict(ctx, templates, None)
        if kept.status is Status.PASSED:
            return replace(kept, notes=(KEPT_NOTE, *kept.notes))
    outcome = _verdict(ctx, templates, [copy.relative_to(ctx.src).as_posix() for copy in copies])
    if memo is not None and outcome.status is Status.PASSED:
        memo.keep(ctx.report_dir)
    return outcome


def _verdict(ctx: StepContext, templates: list[str], scanned: list[str] | None) -> StepOutcome:
    """cfn-lint's and checkov's verdict: running them over the `scanned` copies, or, given None, judging the
    reports already in the report dir (restored from the memo)."""
    report = ctx.report_dir / "cfn-lint.json"
    lint = None if scanned is None else ctx.run(["cfn-lint", *CFN_LINT_OPTIONS, *scanned], stdout_to=report)
    try:
        findings = cfn_lint_findings(report.read_text(encoding="utf-8"))
    except (ValueError, KeyError):
        return ctx.failed("cfn-lint did not produce a readable report", lint)
    write_log(ctx.report_dir / "cfn-lint.sarif", "cfn-lint", version("cfn-lint"), findings)
    errors = [f.describe() for f in findings if f.level == "error"]
    if errors or (lint is not None and not lint.ok):
        return ctx.failed("cfn-lint found errors in the synthesized templates", lint, details=errors)
    try:
        scan = (
            iac_scan.read(ctx, ASSEMBLY, None) if scanned is None else iac_scan.scan(ctx, SCANNED, ASSEMBLY)
        )
    except (ValueError, KeyError):
        return ctx.failed(
            "checkov did not produce a readable report", None if lint is None else ctx.commands[-1]
        )
    if scan.unexplained:
        return ctx.failed(
            f"checkov: {len(scan.unexplained)} finding(s) without a written reason",
            scan.command,
            details=[finding.describe() for finding in scan.unexplained],
        )
    notes = [f"{len(templates)} template(s) in {ASSEMBLY}"]
    by_rule = Counter(f"{finding.rule} ({finding.level})" for finding in findings)
    notes += [
        f"cfn-lint, not failing: {rule} x{count} (see cfn-lint.sarif)" for rule, count in by_rule.items()
    ]
    notes.append(f"checkov {scan.version}: {scan.passed} checks passed, each other one explained:")
    notes += [
        f"  {check} x{count} (reason in the template's Metadata)" for check, count in scan.excused.items()
    ]
    return ctx.passed(
        f"synthesized {len(templates)} template(s); cfn-lint clean of errors; checkov: nothing unexplained",
        notes=notes,
    )


STEP = Step(
    name="synth",
    summary="python infra/app.py (CDK synth with cdk-nag) + cfn-lint and checkov over the templates (SARIF)",
    run=run,
    inputs=(*INFRA_SOURCES, *BACKEND_SOURCES, *PROJECT_CONFIG, *LOCKFILES, *iac_scan.SCANNER_SOURCES),
    outputs=(ASSEMBLY,),
    tools=("aws-cdk-lib", "constructs", "cdk-nag", "cfn-lint"),
    reports=("cfn-lint.sarif", "cfn-lint.json", iac_scan.SARIF, iac_scan.REPORT),
)
