"""What a `careervp-ci` command loads before it runs: the heavy libraries load only for the commands that use
them. Every release command used to start the CDK's Node process and import moto, cfn-lint and the Dagger SDK
(7.6 s of CPU for `deploy --help`; 1.3 s without them), and the suite and the rehearsal start the CLI hundreds
of times."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("aws_cdk", "jsii", "moto", "cfnlint", "dagger")
"""Loaded only by a command that synthesizes, starts an emulator, reviews a change set or rehearses."""

PROBE = """
import sys
from careervp_ci.host import cli
try:
    cli.main(sys.argv[1:])
except SystemExit:
    pass
print("loaded:", *sorted({name.split(".")[0] for name in sys.modules}), file=sys.stderr)
"""


def loaded_by(*arguments: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *arguments], capture_output=True, text=True, check=True, timeout=120
    )
    [line] = [line for line in done.stderr.splitlines() if line.startswith("loaded: ")]
    return set(line.split()[1:])


@pytest.mark.parametrize("command", ["deploy", "verify", "smoke", "promote", "ledger", "account", "emulator"])
def test_a_release_command_starts_without_the_heavy_libraries(command: str) -> None:
    assert loaded_by(command, "--help") & set(HEAVY) == set()


def test_the_probe_sees_what_a_command_does_load() -> None:
    assert "dagger" in loaded_by("rehearse", "--help")
