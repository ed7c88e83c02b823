"""`coverage`: combine the suites' coverage data, write coverage.xml, and hold the floors.

The floors live in pyproject.toml under `[tool.careervp-ci.coverage]`: `floor` for the whole backend,
`critical_floor` for each module listed in `critical` (paths or globs relative to the tree), each on its
own: a well-tested module cannot lift a weak one over the floor.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careervp_ci.pipeline.steps.context import Status, StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step
from careervp_ci.pipeline.steps.pytest_suite import coverage_data_file

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


def per_module_percent(report_json: Path, src: Path) -> dict[str, float]:
    """Tree-relative path -> percent covered, from `coverage json` (a module never imported is absent)."""
    files: dict[str, dict[str, Any]] = json.loads(report_json.read_text(encoding="utf-8"))["files"]
    percents = {}
    for name, figures in files.items():
        path = Path(name)
        relative = (
            path.relative_to(src).as_posix() if path.is_absolute() and path.is_relative_to(src) else name
        )
        percents[relative] = float(figures["summary"]["percent_covered"])
    return percents


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
    modules = {pattern: sorted(ctx.src.glob(pattern)) for pattern in floors.critical}
    unmatched = [pattern for pattern, files in modules.items() if not files]
    if unmatched:
        return ctx.failed(
            "critical modules listed in [tool.careervp-ci.coverage] match no file",
            details=[f"pyproject.toml: critical entry {pattern!r} matches nothing" for pattern in unmatched],
        )
    critical_files = sorted(
        {path.relative_to(ctx.src).as_posix() for files in modules.values() for path in files}
    )
    if critical_files:
        report_json = ctx.report_dir / "coverage.json"
        exported = ctx.run(["coverage", "json", f"--data-file={combined}", "-o", str(report_json)])
        if not exported.ok:
            return ctx.failed("coverage could not export per-module figures", exported)
        measured = per_module_percent(report_json, ctx.src)
        below = [
            f"{path}: {measured.get(path, 0.0):.1f}% < {floors.critical_floor:g}% (critical module)"
            for path in critical_files
            if measured.get(path, 0.0) < floors.critical_floor
        ]
        if below:
            include = ",".join(floors.critical)
            return StepOutcome(
                Status.FAILED,
                f"{len(below)} critical module(s) below the {floors.critical_floor:g}% floor",
                details=tuple(below),
                reproduce=f"uv run coverage report --data-file={combined} --include={include}",
            )
        notes.append(f"{len(critical_files)} critical module(s) each at or above {floors.critical_floor:g}%")
    total = next(
        (line.split()[-1] for line in overall.output.splitlines() if line.startswith("TOTAL")), "n/a"
    )
    return ctx.passed(f"coverage holds the floors ({total} overall)", notes=notes)


STEP = Step(
    name="coverage",
    summary="combine unit + integration coverage, write coverage.xml, enforce the floors",
    run=run,
    inputs=("pyproject.toml",),
    needs=SUITES_WITH_COVERAGE,
    tools=("coverage",),
    reports=("coverage.xml", "coverage.json"),
)
