"""A drift report and its Markdown, both ways, and the nightly's one table of every environment.

Apart from `drift` (which measures, and needs boto3) so the Dagger module, which installs nothing but
dagger-io, can tell a drift table from any other output. Slack: with $SLACK_WEBHOOK set a table is posted,
and a Slack failure is reported on stderr, never failing the run.

The nightly measures each environment in a job of its own (its own role) and then reports once: `python -m
careervp_ci.release.drift_table FOLDER` reads the tables those jobs printed and prints one table covering
every environment (an environment whose job printed no table is a row of its own), posting it to Slack once.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from careervp_ci.errors import UsageError

Status = Literal["ok", "drift", "not verifiable on this target"]
NOT_VERIFIABLE: Status = "not verifiable on this target"
SLACK_ENV = "SLACK_WEBHOOK"


@dataclass(frozen=True)
class Row:
    check: str
    status: Status
    detail: str


MARKS: dict[Status, str] = {
    "ok": "✔ ok",
    "drift": "✘ drift",
    NOT_VERIFIABLE: "? not verifiable on this target",
}
_COLUMNS = "| check | status | detail |"
_RULE = "| --- | --- | --- |"
_HEADING = re.compile(r"^## Drift: (?P<env>\S+) \(runs `(?P<digest>[^`]*)`\)$")


class NoTable(UsageError):
    """Text that is not a drift table (a job that failed before printing one)."""


@dataclass(frozen=True)
class DriftReport:
    env: str
    digest: str
    rows: tuple[Row, ...]

    @property
    def drifted(self) -> bool:
        return any(row.status == "drift" for row in self.rows)

    def markdown(self) -> str:
        lines = [f"## Drift: {self.env} (runs `{self.digest}`)", "", _COLUMNS, _RULE]
        lines += [f"| {r.check} | {MARKS[r.status]} | {_cell(r.detail)} |" for r in self.rows]
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str) -> DriftReport:
        """The report `markdown()` printed (a `|` in a detail reads back as `/`)."""
        lines = text.strip().splitlines()
        heading = _HEADING.match(lines[0]) if lines else None
        if heading is None or lines[1:4] != ["", _COLUMNS, _RULE]:
            raise NoTable(f"not a drift table: {text.strip()[:80]!r}")
        statuses = {mark: status for status, mark in MARKS.items()}
        rows = []
        for line in lines[4:]:
            cells = [cell.strip() for cell in line.strip().removeprefix("|").removesuffix("|").split("|", 2)]
            if len(cells) != 3 or cells[1] not in statuses:
                raise NoTable(f"{heading['env']}: not a row of a drift table: {line!r}")
            rows.append(Row(cells[0], statuses[cells[1]], cells[2]))
        return cls(heading["env"], heading["digest"], tuple(rows))


def is_drift_table(text: str) -> bool:
    """Whether `text` is a report `DriftReport.markdown()` printed."""
    try:
        DriftReport.parse(text)
    except NoTable:
        return False
    return True


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def one_table(reports: Sequence[DriftReport], unmeasured: Mapping[str, str]) -> str:
    """Every environment's rows in one table, the drifted and unmeasured environments named first."""
    drifted = [report.env for report in reports if report.drifted]
    verdict = f"drift in {', '.join(drifted)}" if drifted else "no drift"
    if unmeasured:
        verdict += f"; not measured: {', '.join(unmeasured)}"
    names = ", ".join([*(report.env for report in reports), *unmeasured])
    lines = [f"## Nightly drift of {names}: {verdict}", ""]
    lines += ["| environment | runs | check | status | detail |", "| --- | --- | --- | --- | --- |"]
    for report in reports:
        lines += [
            f"| {report.env} | `{report.digest}` | {row.check} | {MARKS[row.status]} | {_cell(row.detail)} |"
            for row in report.rows
        ]
    lines += [
        f"| {env} | ? | all | {MARKS[NOT_VERIFIABLE]} | {_cell(why)} |" for env, why in unmeasured.items()
    ]
    return "\n".join(lines) + "\n"


# -- Slack --------------------------------------------------------------------------------------------------


def post_to_slack(markdown: str, log: Callable[[str], None], env: dict[str, str] | None = None) -> bool:
    """Post the table to $SLACK_WEBHOOK; any failure is logged (without the URL, a secret) and swallowed."""
    url = (env if env is not None else dict(os.environ)).get(SLACK_ENV, "")
    if not url:
        return False
    body = json.dumps({"text": markdown}).encode()
    request = urllib.request.Request(  # noqa: S310 (the configured webhook)
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            response.read()
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "code", None) or type(error).__name__
        log(f"drift: could not post to Slack ({reason}); the report is in the step summary")
        return False
    return True


def stderr(message: str) -> None:
    print(f"[release] {message}", file=sys.stderr, flush=True)


# -- the nightly's one report -------------------------------------------------------------------------------


def collected(folder: Path) -> tuple[list[DriftReport], dict[str, str]]:
    """The tables under `folder` (one `*.md` per environment's job, in a folder of its own or not), and the
    environments whose job left something else (named by its folder or file)."""
    reports, unmeasured = [], {}
    for path in sorted(folder.rglob("*.md")):
        try:
            reports.append(DriftReport.parse(path.read_text(encoding="utf-8")))
        except NoTable:
            name = path.parent.name if path.parent != folder else path.stem
            unmeasured[name] = "its drift job printed no table (its log says why)"
    return sorted(reports, key=lambda report: report.env), unmeasured


def main(argv: Sequence[str] | None = None) -> int:
    """Print one table of every environment's drift and post it to Slack once; 2 when there is nothing to
    report (no table at all), else 0: the table is the report, drift or not."""
    parser = argparse.ArgumentParser(
        prog="python -m careervp_ci.release.drift_table", description=main.__doc__
    )
    parser.add_argument("folder", type=Path, help="the tables each environment's drift job printed")
    args = parser.parse_args(argv)
    reports, unmeasured = collected(args.folder)
    if not reports and not unmeasured:
        print(f"drift: no drift table under {args.folder}", file=sys.stderr)
        return 2
    table = one_table(reports, unmeasured)
    print(table)
    post_to_slack(table, stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
