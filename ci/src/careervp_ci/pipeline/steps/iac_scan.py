"""The IaC security scan `synth` ends with: checkov over every template, no finding without a written reason.

checkov is a maintained scanner (Prisma Cloud's, on PyPI) with several hundred CloudFormation checks. It runs
from its own locked environment (ci/tools/checkov: checkov pins packaging<24, which the workspace cannot
share), `$CAREERVP_CHECKOV_ENV` or ci/tools/checkov/.venv. A check that does not apply to a resource is
excused in the template itself (`Metadata.checkov.skip` with a comment, written by
`careervp_infra.scanner_reasons`); a failed check, or a skip without a comment, fails the scan.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careervp_ci.errors import CareervpError
from careervp_ci.pipeline.steps.context import CommandResult, StepContext
from careervp_ci.pipeline.steps.sarif import Finding, write_log

SCANNER_PROJECT = "ci/tools/checkov"
SCANNER_SOURCES = (f"{SCANNER_PROJECT}/pyproject.toml", f"{SCANNER_PROJECT}/uv.lock")
ENV_VARIABLE = "CAREERVP_CHECKOV_ENV"
REPORT = "checkov.json"
SARIF = "checkov.sarif"
NO_COMMENT = "No comment provided"
"""What checkov records for a skip that gives no comment (cloudformation/context_parser.py)."""
SCAN_OPTIONS = ("--output", "json", "--compact", "--skip-download")
"""JSON for the report; `--skip-download`: no call to Prisma Cloud's API (no key; the scan stays offline)."""


class ScannerMissing(CareervpError):
    """The scanner's environment is not installed (the step fails and says how to install it)."""


@dataclass(frozen=True)
class ScanResult:
    """What the scan found: findings without a reason, and how many checks a reason excused."""

    command: CommandResult | None
    """None when judged from a kept report (`scan_memo`)."""
    unexplained: list[Finding]
    excused: Counter[str]
    passed: int
    version: str


def scanner(src: Path) -> Path:
    """checkov's executable: in `$CAREERVP_CHECKOV_ENV`, else in the tree's ci/tools/checkov/.venv."""
    env = Path(os.environ.get(ENV_VARIABLE) or src / SCANNER_PROJECT / ".venv")
    executable = env / "bin" / "checkov"
    if not executable.is_file():
        raise ScannerMissing(
            f"checkov is not installed at {executable}: run `make setup` (it runs "
            f"`uv sync --frozen --project {SCANNER_PROJECT}`), or point ${ENV_VARIABLE} at its environment"
        )
    return executable


def scan(ctx: StepContext, directory: str, shown_as: str | None = None) -> ScanResult:
    """Scan every template under `directory` (tree-relative); JSON and SARIF reports go to the report dir,
    findings name their files under `shown_as` (default: `directory`)."""
    command = ctx.run(
        [str(scanner(ctx.src)), "--directory", directory, "--framework", "cloudformation", *SCAN_OPTIONS],
        stdout_to=ctx.report_dir / REPORT,
    )
    return read(ctx, shown_as or directory, command)


def read(ctx: StepContext, shown_as: str, command: CommandResult | None) -> ScanResult:
    """Judge the JSON report in the report dir (written by `scan`, or restored with `command` None)."""
    document: dict[str, Any] = json.loads((ctx.report_dir / REPORT).read_text(encoding="utf-8"))
    results = document["results"]
    unexplained = [_finding(check, shown_as, "failed check") for check in results["failed_checks"]]
    unexplained += [
        _finding(check, shown_as, "skipped without a reason")
        for check in results["skipped_checks"]
        if str(check["check_result"].get("suppress_comment") or "").strip() in ("", NO_COMMENT)
    ]
    write_log(ctx.report_dir / SARIF, "checkov", document["summary"]["checkov_version"], unexplained)
    return ScanResult(
        command=command,
        unexplained=unexplained,
        excused=Counter(check["check_id"] for check in results["skipped_checks"]),
        passed=int(document["summary"]["passed"]),
        version=str(document["summary"]["checkov_version"]),
    )


def identity(src: Path) -> list[str]:
    """What checkov's report is a function of besides the templates: its executable, its environment's
    lock and its options (`scan_memo`'s key)."""
    sources = [
        f"{name}:{path.read_text(encoding='utf-8') if (path := src / name).is_file() else ''}"
        for name in SCANNER_SOURCES
    ]
    return [str(scanner(src)), *sources, *SCAN_OPTIONS]


def _finding(check: dict[str, Any], assembly: str, what: str) -> Finding:
    start = (check.get("file_line_range") or [1])[0]
    return Finding(
        rule=check["check_id"],
        level="error",
        message=f"{check['resource']}: {check['check_name']} ({what}; fix it, or explain it next to the "
        "resource with careervp_infra.scanner_reasons.explain)",
        uri=f"{assembly}{check['file_path']}",
        line=int(start),
    )
