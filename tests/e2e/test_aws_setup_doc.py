"""docs/aws-setup.md runs as written: its `emulator` blocks, in order, in a fresh clone, with dev bound to
the module's emulator; the commands are read from the page, never restated here. The `github` blocks need
GitHub or a real account: they are not run, and hold no `account` command (so every one of those runs)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from support.release_cli import REPO, fresh_clone, process_env, write_emulator_targets

DOC = REPO / "docs" / "aws-setup.md"
BLOCK = re.compile(r"<!-- aws-setup: (?P<kind>\w+) -->\s*```sh\n(?P<body>.*?)```", re.DOTALL)
LAUNCHER = "uv run "
"""How the page runs the CLI; the test runs the entry point installed beside this interpreter instead."""


def blocks(kind: str) -> list[str]:
    found = [
        match["body"] for match in BLOCK.finditer(DOC.read_text(encoding="utf-8")) if match["kind"] == kind
    ]
    assert found, f"{DOC} has no `{kind}` block"
    return found


def test_every_account_command_is_in_a_block_the_emulator_runs() -> None:
    assert not [block for block in blocks("github") if "careervp-ci account" in block]
    commands = "".join(blocks("emulator"))
    for action in ("synth", "check", "apply", "verify"):
        assert f"careervp-ci account {action}" in commands


def test_the_emulator_blocks_run_as_written(emulator: str, tmp_path: Path) -> None:
    clone = fresh_clone(REPO, tmp_path / "clone")
    script = "set -euo pipefail\n" + "".join(blocks("emulator")).replace(LAUNCHER, "")
    targets = write_emulator_targets(tmp_path / "targets.toml", emulator, ("dev",))
    env = process_env(CAREERVP_TARGETS=str(targets))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-c", script], cwd=clone, env=env, capture_output=True, text=True, check=False, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "AWS_ROLE_DEV = arn:aws:iam::123456789012:role/careervp-dev-github-deploy" in done.stdout
    assert "verified: careervp-dev-github-deploy trust: as the template" in done.stdout
    assert "mismatch:" not in done.stdout
    assert "github settings in step with the workflows" in done.stdout
