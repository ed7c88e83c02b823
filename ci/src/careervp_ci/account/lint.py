"""cfn-lint over the account template, every rule level (its IAM rules validate each policy's actions,
resources and structure against AWS's service data): any finding fails unless ACCEPTED gives its reason."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from careervp_ci.account.iam_rules import Finding
from careervp_ci.errors import UsageError

LEVEL_BITS = 2 | 4 | 8

ACCEPTED: dict[str, str] = {
    "I1022": "CDK itself renders bucket ARNs in the bucket policies and outputs it generates with Fn::Join; "
    "informational only, and the account stack's own statements use Fn::Sub",
}
"""cfn-lint rule id -> why a finding of it is accepted in the account template."""


def cfn_lint() -> str:
    """The cfn-lint entry point installed beside this interpreter (the project's pinned one)."""
    beside = Path(sys.executable).parent / "cfn-lint"
    found = str(beside) if beside.is_file() else shutil.which("cfn-lint")
    if found is None:
        raise UsageError(
            "cfn-lint is not installed: run `make setup` (it is a dev dependency of the project)"
        )
    return found


def lint_findings(templates: list[Path]) -> list[Finding]:
    """cfn-lint's findings on `templates` (one run) that ACCEPTED does not explain. Its exit code is a bit
    mask of the levels found (2 error, 4 warning, 8 informational); anything else, or no JSON, is a failure
    of the run itself, reported as a finding rather than read as "nothing found"."""
    command = [cfn_lint(), "--format", "json", "--include-checks", "I", "--", *map(str, templates)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        matches = json.loads(result.stdout) if result.returncode & ~LEVEL_BITS == 0 else None
    except json.JSONDecodeError:
        matches = None
    if not isinstance(matches, list):
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
