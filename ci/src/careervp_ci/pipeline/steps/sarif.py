"""SARIF 2.1.0, the format code-scanning tools read: summarising a log for people, and writing one for tools
that only speak JSON (cfn-lint's SARIF output needs an extra package; its JSON carries the same facts)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


@dataclass(frozen=True)
class Finding:
    rule: str
    level: str
    """SARIF level: error, warning or note."""
    message: str
    uri: str
    line: int

    def describe(self) -> str:
        return f"{self.uri}:{self.line}: [{self.level}] {self.rule} {self.message}"


def read_findings(sarif: Path) -> list[Finding]:
    """Every result in a SARIF log (empty when the file is missing or empty)."""
    if not sarif.is_file() or not sarif.read_text(encoding="utf-8").strip():
        return []
    log: dict[str, Any] = json.loads(sarif.read_text(encoding="utf-8"))
    findings = []
    for run in log.get("runs", []):
        for result in run.get("results", []):
            location = (result.get("locations") or [{}])[0].get("physicalLocation", {})
            findings.append(
                Finding(
                    rule=str(result.get("ruleId", "")),
                    level=str(result.get("level", "warning")),
                    message=str(result.get("message", {}).get("text", "")),
                    uri=str(location.get("artifactLocation", {}).get("uri", "?")),
                    line=int(location.get("region", {}).get("startLine", 0)),
                )
            )
    return findings


def write_log(sarif: Path, tool: str, version: str, findings: list[Finding]) -> None:
    """A minimal valid SARIF log with one run of `tool`."""
    results = [
        {
            "ruleId": finding.rule,
            "level": finding.level,
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": finding.uri},
                        "region": {"startLine": max(finding.line, 1)},
                    }
                }
            ],
        }
        for finding in findings
    ]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": tool, "version": version}}, "results": results}],
    }
    sarif.write_text(json.dumps(log, indent=2), encoding="utf-8")
