"""Verify an environment's stack, resource by resource (`src/backend/scripts/verify_aws_state.py`).

    verify_aws_state.py --mode synth --env dev [--assembly DIR]     # the template declares what it must
    verify_aws_state.py --mode deployed --env dev [--assembly DIR]  # AWS (or AWS_ENDPOINT_URL) matches it

Each check ends verified, drifted, or not verifiable on this target (with the reason; never counted as
verified). Exit 0: nothing drifted; 1: something is missing or drifted; 2: bad usage (unknown environment,
no assembly). Without --assembly the tree's CDK app is synthesized into a temporary folder first.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from careervp_infra.assembly import SynthesisError, synthesize
from careervp_infra.cloud_assembly import AssemblyError
from careervp_infra.environments import EnvironmentConfigError, load_environments
from careervp_infra.verify.deployed import verify_deployed
from careervp_infra.verify.report import VerificationReport
from careervp_infra.verify.synth import verify_synth

EXIT_OK, EXIT_DRIFTED, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="verify_aws_state.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--mode", required=True, choices=("synth", "deployed"))
    parser.add_argument("--env", required=True, help="an environment from infra/environments.toml")
    parser.add_argument(
        "--assembly", type=Path, help="a synthesized cloud assembly (default: synthesize now)"
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code else EXIT_OK
    try:
        load_environments().get_stack(args.env)
        report = run(args.mode, args.env, args.assembly)
    except (EnvironmentConfigError, AssemblyError) as error:
        print(f"verify_aws_state: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SynthesisError as error:
        print(f"verify_aws_state: {error}", file=sys.stderr)
        return EXIT_DRIFTED
    print(report.render())
    return EXIT_OK if report.ok else EXIT_DRIFTED


def run(mode: str, env: str, assembly: Path | None) -> VerificationReport:
    if assembly is not None:
        if not assembly.is_dir():
            raise AssemblyError(f"--assembly {assembly} is not a folder")
        return _verify(mode, env, assembly)
    with tempfile.TemporaryDirectory(prefix="careervp-verify-") as outdir:
        return _verify(mode, env, synthesize(Path(outdir)))


def _verify(mode: str, env: str, assembly: Path) -> VerificationReport:
    return verify_synth(env, assembly) if mode == "synth" else verify_deployed(env, assembly)
