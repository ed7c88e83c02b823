"""cfn-lint over the account template, every rule level (its IAM rules validate each policy's actions,
resources and structure against AWS's service data): any finding fails unless ACCEPTED gives its reason."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from careervp_ci.account.iam_rules import Finding

ACCEPTED: dict[str, str] = {
    "I1022": "CDK itself renders bucket ARNs in the bucket policies and outputs it generates with Fn::Join; "
    "informational only, and the account stack's own statements use Fn::Sub",
}
"""cfn-lint rule id -> why a finding of it is accepted in the account template."""


def lint_findings(templates: list[Path]) -> list[Finding]:
    """cfn-lint's findings on `templates` (one run) that ACCEPTED does not explain."""
    command = [sys.executable, "-m", "cfnlint", "--format", "json", "--include-checks", "I", "--"]
    result = subprocess.run([*command, *map(str, templates)], capture_output=True, text=True, check=False)
    try:
        matches = json.loads(result.stdout or "[]")
    except json.JSONDecodeError:
        return [
            Finding("cfn-lint", "the run", f"no report (exit {result.returncode}): {result.stderr[-500:]}")
        ]
    return [
        Finding(
            f"cfn-lint {match['Rule']['Id']}",
            f"{Path(match['Filename']).name} "
            + "/".join(str(part) for part in match["Location"]["Path"][:2]),
            match["Message"],
        )
        for match in matches
        if match["Rule"]["Id"] not in ACCEPTED
    ]
