"""`coverage`: combine the suites' coverage data, write coverage.xml, and hold the floors.

The floors live in pyproject.toml under `[tool.careervp-ci.coverage]`: `floor` for the whole backend,
`critical_floor` for the modules listed in `critical` (paths relative to the tree).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from careervp_ci.steps.context import StepContext, StepOutcome
from careervp_ci.steps.model import Step
from careervp_ci.steps.pytest_suite import coverage_data_file

SUITES_WITH_COVERAGE = ("unit", "integration")
DEFAULT_FLOOR = 80.0
DEFAULT_CRITICAL_FLOOR = 90.0


@dataclass(frozen=True)
class Floors:
    floor: float
    critical_floor: float
    critical: tuple[str, ...]
    source: str


def read_floors(ctx: StepContext) -> Floors:
    """The floors from pyproject.toml; the documented defaults (80 / 90, no critical list) when absent."""
    pyproject = ctx.src / "pyproject.toml"
    table = {}
    if pyproject.is_file():
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        table = data.get("tool", {}).get("careervp-ci", {}).get("coverage", {})
    if not table:
        return Floors(DEFAULT_FLOOR, DEFAULT_CRITICAL_FLOOR, (), "defaults (no [tool.careervp-ci.coverage])")
    critical = table.get("critical", [])
    if not isinstance(critical, list) or not all(isinstance(item, str) for item in critical):
        raise ValueError(f"[tool.careervp-ci.coverage] critical must be a list of paths, got {critical!r}")
    return Floors(
        float(table.get("floor", DEFAULT_FLOOR)),
        float(table.get("critical_floor", DEFAULT_CRITICAL_FLOOR)),
        tuple(critical),
        "pyproject.toml [tool.careervp-ci.coverage]",
    )


def run(ctx: StepContext) -> StepOutcome:
    floors = read_floors(ctx)
    reports_root = ctx.report_dir.parent
    data_files = [
        reports_root / suite / coverage_data_file(suite)
        for suite in SUITES_WITH_COVERAGE
        if (reports_root / suite / coverage_data_file(suite)).is_file()
    ]
    if not data_files:
        return ctx.failed(
            "no coverage data: run the unit/integration steps first (careervp-ci coverage runs them)",
            details=[f"looked for {reports_root}/<suite>/<suite>.coverage"],
        )
    combined = str(ctx.report_dir / "combined.coverage")
    merged = ctx.run(["coverage", "combine", "--keep", f"--data-file={combined}", *map(str, data_files)])
    if not merged.ok:
        return ctx.failed("coverage could not combine the suites' data", merged)
    ctx.run(["coverage", "xml", f"--data-file={combined}", "-o", str(ctx.report_dir / "coverage.xml")])
    notes = [f"floors from {floors.source}: backend {floors.floor:g}%, critical {floors.critical_floor:g}%"]
    overall = ctx.run(["coverage", "report", f"--data-file={combined}", f"--fail-under={floors.floor:g}"])
    if not overall.ok:
        return ctx.failed(f"backend coverage is below the {floors.floor:g}% floor", overall)
    present = [path for path in floors.critical if (ctx.src / path).exists()]
    missing = sorted(set(floors.critical) - set(present))
    if missing:
        return ctx.failed(
            "critical modules listed in [tool.careervp-ci.coverage] do not exist",
            details=[f"pyproject.toml: critical lists missing path {path}" for path in missing],
        )
    if present:
        critical = ctx.run(
            [
                "coverage",
                "report",
                f"--data-file={combined}",
                f"--include={','.join(present)}",
                f"--fail-under={floors.critical_floor:g}",
            ]
        )
        if not critical.ok:
            return ctx.failed(f"a critical module is below the {floors.critical_floor:g}% floor", critical)
    total = overall.output.strip().splitlines()[-1] if overall.output.strip() else ""
    return ctx.passed(
        f"coverage holds the floors ({total.split()[-1] if total else 'n/a'} overall)", notes=notes
    )


STEP = Step(
    name="coverage",
    summary="combine unit + integration coverage, write coverage.xml, enforce the floors",
    run=run,
    inputs=("pyproject.toml",),
    needs=SUITES_WITH_COVERAGE,
    tools=("coverage",),
    reports=("coverage.xml",),
)
