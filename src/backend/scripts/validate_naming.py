"""The naming gatekeeper: every declared physical name follows careervp-<env>-<component>-<resource>.

    validate_naming.py --path infra            # CDK code (cdk.json / app.py): synthesize, then check
    validate_naming.py --path cdk.out          # a cloud assembly or a folder of *.template.json
    validate_naming.py --path x.template.json  # one template

Exit 0: no violations (warnings allowed unless --strict); 1: violations (or warnings with --strict, or the
CDK app failed to synthesize); 2: bad usage (missing path, nothing to check).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from careervp_infra.environments import EnvironmentConfigError, load_environments
from careervp_infra.gatekeeper import Finding, Severity, check_stack_names, check_templates, find_templates

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2
PYTHON_COMMANDS = frozenset({"python", "python3"})


class UsageError(Exception):
    """The arguments do not name something the gatekeeper can check."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--path", required=True, type=Path, help="CDK app folder, cloud assembly, or templates"
    )
    parser.add_argument(
        "--strict", action="store_true", help="fail on warnings too (names that cannot be checked)"
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code else EXIT_OK
    try:
        environments = load_environments().stack_names
        return run(args.path, strict=args.strict, environments=environments)
    except (UsageError, EnvironmentConfigError) as error:
        print(f"validate_naming: {error}", file=sys.stderr)
        return EXIT_USAGE


def run(path: Path, *, strict: bool, environments: tuple[str, ...]) -> int:
    if not path.exists():
        raise UsageError(f"--path {path} does not exist")
    if is_cdk_app(path):
        with tempfile.TemporaryDirectory(prefix="careervp-naming-") as outdir:
            if not synthesize_app(path, Path(outdir)):
                return EXIT_VIOLATIONS
            return check_and_report(Path(outdir), strict=strict, environments=environments)
    return check_and_report(path, strict=strict, environments=environments)


def is_cdk_app(path: Path) -> bool:
    return path.is_dir() and ((path / "cdk.json").is_file() or (path / "app.py").is_file())


def app_command(app_dir: Path) -> list[str]:
    """The app command from cdk.json (default `python app.py`), run with this interpreter."""
    command = "python app.py"
    if (app_dir / "cdk.json").is_file():
        command = json.loads((app_dir / "cdk.json").read_text(encoding="utf-8")).get("app", command)
    words = shlex.split(command)
    if words and words[0] in PYTHON_COMMANDS:
        words[0] = sys.executable
    return words


def synthesize_app(app_dir: Path, outdir: Path) -> bool:
    command = app_command(app_dir)
    print(f"synthesizing {app_dir} ({shlex.join(command)}) ...", file=sys.stderr)
    result = subprocess.run(
        command,
        check=False,
        cwd=app_dir,
        env={**os.environ, "CDK_OUTDIR": str(outdir)},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-30:])
        print(f"validate_naming: the CDK app in {app_dir} failed to synthesize:\n{tail}", file=sys.stderr)
        return False
    return True


def check_and_report(root: Path, *, strict: bool, environments: tuple[str, ...]) -> int:
    templates = find_templates(root)
    if not templates:
        raise UsageError(f"no *.template.json under {root}: pass a CDK app folder, a cdk.out or templates")
    findings = check_stack_names(root, environments) + check_templates(templates, environments)
    report(findings, len(templates))
    errors = [finding for finding in findings if finding.severity is Severity.ERROR]
    warnings = [finding for finding in findings if finding.severity is Severity.WARNING]
    return EXIT_VIOLATIONS if errors or (strict and warnings) else EXIT_OK


def report(findings: list[Finding], template_count: int) -> None:
    for finding in findings:
        print(finding.render())
    errors = sum(finding.severity is Severity.ERROR for finding in findings)
    warnings = len(findings) - errors
    print(f"validate_naming: {errors} violation(s), {warnings} warning(s) in {template_count} template(s)")


if __name__ == "__main__":
    sys.exit(main())
