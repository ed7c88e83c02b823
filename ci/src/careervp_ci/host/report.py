"""What a run tells people afterwards: the failure report on the console, `summary.md` (also appended to
`$GITHUB_STEP_SUMMARY`, with a Mermaid timeline of the steps), and the exit code.

Exit codes: 0 when every selected step passed or came from the cache (with `ci --from-cache-only`, also when
it was not in the cache: not run, shown as NOT CACHED); 1 when a step failed, was stopped or never ran, or
ended UNVERIFIED. An unverified step (e.g. `audit` with no vulnerability service) is not a
pass, so it makes the run exit 1 unless the caller names it in `--allow-unverified STEP`; even then the
console and the summary show it as UNVERIFIED, never as passed. $CAREERVP_ALLOW_UNVERIFIED names such
steps too (ALLOW_UNVERIFIED_ENV).
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path
from typing import TextIO

from careervp_ci.host.executor import RunResult, StepResult
from careervp_ci.host.progress import SYMBOLS
from careervp_ci.pipeline.steps.context import Status

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
ALLOW_UNVERIFIED_ENV = "CAREERVP_ALLOW_UNVERIFIED"
"""Comma-separated steps `ci` may end UNVERIFIED, for a machine that cannot reach a step's service (the
workflow rehearsal sets it in its containers for `audit`); the Dagger module never sets it."""
_NOT_GREEN = (Status.FAILED, Status.STOPPED, Status.NEVER_RAN)


def exit_code(run: RunResult, allow_unverified: Collection[str] = ()) -> int:
    """0 only when nothing failed and nothing is unverified (unless that step's gap is explicitly allowed)."""
    if run.with_status(*_NOT_GREEN):
        return 1
    if any(result.name not in allow_unverified for result in run.with_status(Status.UNVERIFIED)):
        return 1
    return 0


def print_details(run: RunResult, stream: TextIO) -> None:
    """Notes (seeds, retries, warnings), then each failure and unverified step: the verdict, the tool's
    first useful lines, and the command that reproduces it."""
    for result in run.results:
        for note in result.outcome.notes:
            print(f"note: {result.name}: {note}", file=stream)
    for result in run.with_status(Status.FAILED, Status.UNVERIFIED):
        label = "FAILED" if result.status is Status.FAILED else "UNVERIFIED (not a pass)"
        print(f"\n── {result.name}: {label} — {result.outcome.message}", file=stream)
        for line in result.outcome.details:
            print(f"   {line}", file=stream)
        if result.outcome.reproduce:
            print(f"   reproduce: {result.outcome.reproduce}", file=stream)


def verdict(run: RunResult, code: int) -> str:
    """One word for the run, which never calls an unverified step a pass, even an allowed one, nor a step
    that was not in the cache (`ci --from-cache-only`)."""
    if code != 0:
        return "FAILED" if run.with_status(*_NOT_GREEN) else "NOT VERIFIED"
    if missing := [result.name for result in run.with_status(Status.NOT_CACHED)]:
        return f"NOT CACHED (not run): {', '.join(missing)}"
    allowed = [result.name for result in run.with_status(Status.UNVERIFIED)]
    return f"PASSED, except UNVERIFIED (allowed): {', '.join(allowed)}" if allowed else "PASSED"


def print_verdict(run: RunResult, code: int, stream: TextIO) -> None:
    counts: dict[str, int] = {}
    for result in run.results:
        counts[result.status.value] = counts.get(result.status.value, 0) + 1
    tally = ", ".join(f"{count} {status}" for status, count in counts.items())
    never = [r.name for r in run.with_status(Status.NEVER_RAN, Status.STOPPED)]
    print(f"\n{verdict(run, code)}: {tally or 'nothing to run'}", file=stream)
    if never:
        print(f"never ran / stopped: {', '.join(never)}", file=stream)
    for name, reason in run.skipped.items():
        print(f"skipped {name}: {reason}", file=stream)


def _row(result: StepResult) -> str:
    message = result.outcome.message.replace("|", "\\|")
    status = result.status.value.upper() if result.status is Status.UNVERIFIED else result.status.value
    return f"| {SYMBOLS[result.status]} `{result.name}` | {status} | {result.seconds:.1f}s | {message} |"


_GANTT_TAGS = {Status.CACHED: "done, ", Status.FAILED: "crit, ", Status.UNVERIFIED: "crit, "}
_NOT_STARTED = (Status.NEVER_RAN, Status.SKIPPED, Status.NOT_CACHED)


def timeline(run: RunResult) -> list[str]:
    """The run as a Mermaid gantt, one bar per step from its start to its end (milliseconds since the run
    began): cached steps are marked `done` and labelled, failures `crit`, so the critical path is seen."""
    started = [result for result in run.results if result.status not in _NOT_STARTED]
    if not started:
        return []
    lines = ["```mermaid", "gantt", "    title Steps over time (cached steps marked)", "    dateFormat x"]
    lines += ["    axisFormat %M:%S", "    section steps"]
    for result in started:
        begin = round(result.started_at * 1000)
        end = begin + max(1, round(result.seconds * 1000))
        label = f"{result.name} ({result.status.value})"
        tag = _GANTT_TAGS.get(result.status, "")
        lines.append(f"    {label} :{tag}{result.name.replace('-', '_')}, {begin}, {end}")
    return [*lines, "```"]


def summary_markdown(run: RunResult, code: int, title: str, reports_root: Path) -> str:
    """A GitHub-flavoured Markdown summary of the run."""
    lines = [f"## {title}: {verdict(run, code)}", "", "| step | status | time | result |"]
    lines.append("| --- | --- | --- | --- |")
    lines += [_row(result) for result in run.results]
    lines += [f"| - `{name}` | skipped | | {reason} |" for name, reason in run.skipped.items()]
    if chart := timeline(run):
        lines += ["", "### Timeline", "", *chart]
    for result in run.with_status(Status.FAILED, Status.UNVERIFIED):
        lines += ["", f"### `{result.name}` {result.status.value}: {result.outcome.message}", "", "```text"]
        lines += [*result.outcome.details, "```"]
        if result.outcome.reproduce:
            lines += ["", f"Reproduce locally: `{result.outcome.reproduce}`"]
    notes = [(r.name, note) for r in run.results for note in r.outcome.notes]
    if notes:
        lines += ["", "### Notes", ""] + [f"- `{name}`: {note}" for name, note in notes]
    reports = sorted(
        path.relative_to(reports_root).as_posix()
        for result in run.results
        for path in (reports_root / result.name).rglob("*")
        if path.is_file()
    )
    if reports:
        lines += ["", "### Reports", ""] + [f"- `{path}`" for path in reports]
    return "\n".join(lines) + "\n"


def write_summary(run: RunResult, code: int, title: str, reports_root: Path) -> Path:
    """`<reports>/summary.md`, also appended to `$GITHUB_STEP_SUMMARY` when set."""
    text = summary_markdown(run, code, title, reports_root)
    target = reports_root / "summary.md"
    target.write_text(text, encoding="utf-8")
    if github_summary := os.environ.get(SUMMARY_ENV):
        with Path(github_summary).open("a", encoding="utf-8") as handle:
            handle.write(text)
    return target
