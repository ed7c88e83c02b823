"""`secrets`: no credential committed to the tree (detect-secrets, offline), findings as SARIF.

detect-secrets scans every file of the tree (`--all-files`: a Dagger container has no git checkout) except
the folders below, never verifying a candidate against a live service (`--no-verify`, so it runs offline).
A finding fails the step unless the audited baseline `.secrets.baseline` lists it (same file, type and
hashed value) and does not mark it a real secret. Neither the log nor the SARIF ever holds a value: the
scanner reports a SHA-1 of it, which is all the step passes on.

With a result cache, the scan reads only the files changed since its last scan and keeps the others'
findings (`careervp_ci.pipeline.steps.secrets_state`); a changed baseline or scan configuration scans the
whole tree again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from careervp_ci.pipeline.steps import secrets_state
from careervp_ci.pipeline.steps.context import CommandResult, StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step
from careervp_ci.pipeline.steps.sarif import Finding as SarifFinding
from careervp_ci.pipeline.steps.sarif import write_log

BASELINE = ".secrets.baseline"
EXCLUDED = (
    r"(^|/)(\.git|\.venv|\.tools|\.reports|\.careervp|node_modules|cdk\.out|__pycache__|\.mypy_cache"
    r"|\.ruff_cache|\.pytest_cache)/"
    # generated CDK templates: asset hashes are high-entropy by design, and change with every asset
    r"|^tests/regression/snapshots/infra/"
    r"|^\.secrets\.baseline$"
)
"""One regular expression (detect-secrets' --exclude-files): tool output and generated files, no source."""


@dataclass(frozen=True)
class Candidate:
    """A possible secret as the scanner names it: file, line, detector, and the SHA-1 of the value."""

    file: str
    line: int
    kind: str
    hashed: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.file, self.kind, self.hashed)

    def describe(self) -> str:
        return f"{self.file}:{self.line}: {self.kind} (sha1 of the value {self.hashed[:12]}…)"


def candidates(report: dict[str, Any]) -> list[Candidate]:
    return [
        Candidate(file, int(entry.get("line_number", 0)), str(entry["type"]), str(entry["hashed_secret"]))
        for file, entries in sorted(report.get("results", {}).items())
        for entry in entries
    ]


def load_baseline(src: Path) -> tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]:
    """(accepted, known real secrets) from the audited baseline; a missing baseline accepts nothing."""
    path = src / BASELINE
    if not path.is_file():
        return set(), set()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{BASELINE} is not JSON ({error}); regenerate it (see the step's message)"
        ) from None
    accepted: set[tuple[str, str, str]] = set()
    real: set[tuple[str, str, str]] = set()
    for entry in candidates(document):
        raw = next(
            e
            for e in document["results"][entry.file]
            if e["hashed_secret"] == entry.hashed and e["type"] == entry.kind
        )
        (real if raw.get("is_secret") is True else accepted).add(entry.key)
    return accepted, real


SCAN = ("detect-secrets", "scan", "--no-verify", "--all-files", "--exclude-files", EXCLUDED)
REBASELINE = (
    f"uv run {' '.join(SCAN[:-1])} '{EXCLUDED}' . > {BASELINE} && uv run detect-secrets audit {BASELINE}"
)


def scan(ctx: StepContext, report_file: Path) -> tuple[CommandResult | None, str]:
    """Write the whole tree's report to `report_file`, scanning only what changed since the last scan when
    its findings are kept; returns the failed scan (or None) and what was scanned."""
    state = ctx.state_dir / "secrets" / secrets_state.STATE_FILE if ctx.state_dir else None
    config = secrets_state.configuration(SCAN, version("detect-secrets"), ctx.src / BASELINE)
    files = secrets_state.tree_files(ctx.src, EXCLUDED)
    chosen = secrets_state.plan(state, config, files)
    results: dict[str, Any] = dict(chosen.kept)
    if chosen.scan != ():
        scanned = ctx.run([*SCAN, *(chosen.scan or ["."])], stdout_to=report_file)
        if not scanned.ok:
            return scanned, chosen.reason
        results.update(json.loads(report_file.read_text(encoding="utf-8")).get("results", {}))
    report_file.write_text(json.dumps({"results": dict(sorted(results.items()))}, indent=2), encoding="utf-8")
    if state:
        secrets_state.save(state, config, files, results)
    return None, chosen.reason


def run(ctx: StepContext) -> StepOutcome:
    report_file = ctx.report_dir / "detect-secrets.json"
    failed, scanned = scan(ctx, report_file)
    if failed:
        return ctx.failed("detect-secrets could not scan the tree", failed)
    found = candidates(json.loads(report_file.read_text(encoding="utf-8")))
    try:
        accepted, real = load_baseline(ctx.src)
    except ValueError as error:
        return ctx.failed("the secrets baseline is unreadable", details=[str(error)])
    new = [c for c in found if c.key not in accepted or c.key in real]
    write_log(
        ctx.report_dir / "secrets.sarif",
        "detect-secrets",
        "1.5.0",
        [
            SarifFinding(
                rule=c.kind,
                level="error" if c in new else "note",
                message=f"possible secret ({c.kind}); "
                + ("not in the audited baseline" if c in new else f"accepted in {BASELINE}"),
                uri=c.file,
                line=c.line,
            )
            for c in found
        ],
    )
    if new:
        outcome = ctx.failed(
            f"{len(new)} possible secret(s) not accepted in {BASELINE}: remove them (and rotate any real "
            f"one), or, for a false positive, re-baseline and audit: {REBASELINE}",
            details=[c.describe() for c in new][:12],
        )
        return StepOutcome(outcome.status, outcome.message, outcome.details, outcome.reproduce, (scanned,))
    return ctx.passed(
        f"no secret outside the audited baseline ({len(found)} accepted finding(s) in {BASELINE})",
        notes=[scanned],
    )


STEP = Step(
    name="secrets",
    summary="detect-secrets --no-verify (offline) over the tree, audited baseline, SARIF report",
    run=run,
    inputs=("**/*",),
    tools=("detect-secrets",),
    reports=("detect-secrets.json", "secrets.sarif"),
)
