"""`synth`: the CDK app synthesizes (cdk-nag runs inside it), cfn-lint finds no errors in the templates, and
the IaC security scanner (checkov, `iac_scan`) finds nothing without a written reason.

`python infra/app.py` builds the cloud assembly through `careervp_infra.assembly`; the CDK reads
`CDK_OUTDIR`, so the assembly (about 1 MB) lands in `.careervp/cdk.out`, never in the tree's own `cdk.out`.
It is a declared output: cached with a pass and restored on a hit, so `naming` checks this very assembly
instead of synthesizing a second time.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from importlib.metadata import version
from typing import Any

from careervp_ci.pipeline.steps import iac_scan
from careervp_ci.pipeline.steps.context import StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step
from careervp_ci.pipeline.steps.sarif import Finding, write_log
from careervp_ci.pipeline.steps.sources import BACKEND_SOURCES, INFRA_SOURCES, LOCKFILES, PROJECT_CONFIG

APP = "infra/app.py"
ASSEMBLY = ".careervp/cdk.out"
"""The cloud assembly (tree-relative): a declared output, so cached with a pass and restored on a hit."""


CFN_LINT_LEVELS = {"Error": "error", "Warning": "warning", "Informational": "note"}


def cfn_lint_findings(report: str) -> list[Finding]:
    """cfn-lint's JSON matches as findings (the file:line a person opens)."""
    matches: list[dict[str, Any]] = json.loads(report) if report.strip() else []
    return [
        Finding(
            rule=match["Rule"]["Id"],
            level=CFN_LINT_LEVELS.get(match["Level"], "warning"),
            message=match["Message"],
            uri=match["Filename"],
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
    report = ctx.report_dir / "cfn-lint.json"
    lint = ctx.run(
        ["cfn-lint", "--format", "json", "--non-zero-exit-code", "error", *templates], stdout_to=report
    )
    try:
        findings = cfn_lint_findings(report.read_text(encoding="utf-8"))
    except (ValueError, KeyError):
        return ctx.failed("cfn-lint did not produce a readable report", lint)
    write_log(ctx.report_dir / "cfn-lint.sarif", "cfn-lint", version("cfn-lint"), findings)
    if not lint.ok:
        errors = [f.describe() for f in findings if f.level == "error"]
        return ctx.failed("cfn-lint found errors in the synthesized templates", lint, details=errors)
    try:
        scanned = iac_scan.scan(ctx, ASSEMBLY)
    except iac_scan.ScannerMissing as missing:
        return ctx.failed("the IaC security scanner is not installed", details=[str(missing)])
    except (ValueError, KeyError):
        return ctx.failed("checkov did not produce a readable report", ctx.commands[-1])
    if scanned.unexplained:
        return ctx.failed(
            f"checkov: {len(scanned.unexplained)} finding(s) without a written reason",
            scanned.command,
            details=[finding.describe() for finding in scanned.unexplained],
        )
    notes = [f"{len(templates)} template(s) in {ASSEMBLY}"]
    by_rule = Counter(f"{finding.rule} ({finding.level})" for finding in findings)
    notes += [
        f"cfn-lint, not failing: {rule} x{count} (see cfn-lint.sarif)" for rule, count in by_rule.items()
    ]
    notes.append(f"checkov {scanned.version}: {scanned.passed} checks passed, each other one explained:")
    notes += [
        f"  {check} x{count} (reason in the template's Metadata)" for check, count in scanned.excused.items()
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
