"""verify_aws_state.py --mode synth: the template declares what the service needs, or exit 1 names the gap."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support.scripts import load_script

verify_aws_state = load_script("verify_aws_state")


def test_synth_mode_passes_every_environment_of_the_tree(
    assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for env in ("dev", "staging", "prod", "gap-remediation"):
        assert verify_aws_state.main(["--mode", "synth", "--env", env, "--assembly", str(assembly)]) == 0
    assert "0 drifted, 0 not-verifiable" in capsys.readouterr().out


def test_synth_mode_names_a_table_whose_pitr_was_switched_off(
    assembly: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = shutil.copytree(assembly, tmp_path / "cdk.out")
    template_path = next(copy.glob("assembly-dev/*.template.json"))
    template = json.loads(template_path.read_text())
    for resource in template["Resources"].values():
        if resource["Properties"].get("TableName") == "careervp-dev-kb-documents":
            resource["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] = False
    template_path.write_text(json.dumps(template))
    code = verify_aws_state.main(["--mode", "synth", "--env", "dev", "--assembly", str(copy)])
    out = capsys.readouterr().out
    assert code == 1
    [line] = [line for line in out.splitlines() if line.startswith("DRIFTED")]
    assert "point-in-time recovery is not enabled" in line


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--mode", "synth", "--env", "qa", "--assembly", "."], "unknown environment 'qa'"),
        (["--mode", "synth", "--env", "dev", "--assembly", "/no/such/assembly"], "is not a folder"),
        (["--mode", "synth", "--env", "dev", "--assembly", "src"], "manifest.json is missing"),
    ],
)
def test_bad_usage_exits_2_naming_the_bad_value(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert verify_aws_state.main(argv) == 2
    assert message in capsys.readouterr().err


def test_missing_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert verify_aws_state.main(["--mode", "live", "--env", "dev"]) == 2
    assert verify_aws_state.main(["--env", "dev"]) == 2
