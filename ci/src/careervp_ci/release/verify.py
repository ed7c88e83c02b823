"""Post-deploy verification: the infra's verifier in deployed mode, pointed at the target.

`src/backend/scripts/verify_aws_state.py --mode deployed --env ENV --assembly DIR` compares the live stack
with the artifact's assembly: exit 0 verified (items the target cannot show are listed as "not verifiable on
this target", never as ok), exit 1 drifted, anything else means it could not verify at all.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

VERIFIER = Path("src/backend/scripts/verify_aws_state.py")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    summary: str
    output: str


def run_verifier(src: Path, stack_env: str, assembly: Path, aws_env: dict[str, str]) -> Verdict:
    """Run the verifier from the tree at `src` with the target's AWS settings in its environment."""
    script = src / VERIFIER
    if not script.is_file():
        return Verdict(False, f"the verifier {VERIFIER} is missing from {src}; cannot verify", "")
    argv = [
        sys.executable,
        str(script),
        "--mode",
        "deployed",
        "--env",
        stack_env,
        "--assembly",
        str(assembly),
    ]
    env = {**os.environ, **aws_env}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(src / "src" / "backend"), str(src / "infra"), env.get("PYTHONPATH", "")]
    )
    done = subprocess.run(argv, cwd=src, env=env, capture_output=True, text=True, check=False, timeout=600)
    output = (done.stdout + done.stderr).strip()
    if done.returncode == 0:
        return Verdict(True, "verified", output)
    if done.returncode == 1:
        return Verdict(False, "drifted: the deployed stack does not match the artifact", output)
    return Verdict(False, f"could not verify (verifier exited {done.returncode})", output)
