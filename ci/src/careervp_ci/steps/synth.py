"""`synth`: the CDK app synthesizes (cdk-nag runs inside it) and cfn-lint finds no errors in the templates.

`python infra/app.py` builds the cloud assembly through `careervp_infra.assembly`; the CDK reads
`CDK_OUTDIR`, so the assembly lands in `.careervp/cdk.out` and never in the tree's own `cdk.out`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from careervp_ci.steps.context import StepContext, StepOutcome
from careervp_ci.steps.model import Step
from careervp_ci.steps.sources import BACKEND_SOURCES, INFRA_SOURCES, LOCKFILES, PROJECT_CONFIG

APP = "infra/app.py"
ASSEMBLY = ".careervp/cdk.out"


def sarif_findings(sarif: Path, limit: int = 12) -> list[str]:
    """`file:line: rule message` lines from a SARIF log (what cfn-lint writes)."""
    if not sarif.is_file():
        return []
    log: dict[str, Any] = json.loads(sarif.read_text(encoding="utf-8") or "{}")
    lines = []
    for run in log.get("runs", []):
        for result in run.get("results", []):
            location = (result.get("locations") or [{}])[0].get("physicalLocation", {})
            uri = location.get("artifactLocation", {}).get("uri", "?")
            line = location.get("region", {}).get("startLine", 0)
            text = result.get("message", {}).get("text", "")
            lines.append(f"{uri}:{line}: [{result.get('level', '')}] {result.get('ruleId', '')} {text}")
    return lines[:limit]


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
    templates = sorted(str(path) for path in outdir.rglob("*.template.json"))
    if not templates:
        return ctx.failed(
            f"synthesis produced no CloudFormation templates under {ASSEMBLY}",
            synth,
            details=[f"{APP}: does the app honour CDK_OUTDIR (cdk.App() reads it)?"],
        )
    sarif = ctx.report_dir / "cfn-lint.sarif"
    lint = ctx.run(
        [
            "cfn-lint",
            "--format",
            "sarif",
            "--output-file",
            str(sarif),
            "--non-zero-exit-code",
            "error",
            *templates,
        ]
    )
    findings = sarif_findings(sarif)
    if not lint.ok:
        return ctx.failed("cfn-lint found errors in the synthesized templates", lint, details=findings or ())
    notes = [f"{len(templates)} template(s) in {ASSEMBLY}"]
    notes += [f"cfn-lint (not failing): {finding}" for finding in findings]
    return ctx.passed(f"synthesized {len(templates)} template(s); cfn-lint clean of errors", notes=notes)


STEP = Step(
    name="synth",
    summary="python infra/app.py (CDK synth with cdk-nag) + cfn-lint over the templates (SARIF)",
    run=run,
    inputs=(*INFRA_SOURCES, *BACKEND_SOURCES, *PROJECT_CONFIG, *LOCKFILES),
    needs_node=True,
    tools=("aws-cdk-lib", "constructs", "cdk-nag", "cfn-lint"),
    reports=("cfn-lint.sarif",),
)
