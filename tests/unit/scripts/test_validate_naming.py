"""The naming gatekeeper, run as the pipeline runs it: `main(argv)` -> exit code and report lines."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.scripts import SCRIPTS_DIR, load_script

validate_naming = load_script("validate_naming")


def write_template(folder: Path, resources: dict[str, Any], name: str = "planted.template.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps({"Resources": resources}), encoding="utf-8")
    return path


def bucket(name: str | None) -> dict[str, Any]:
    return {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": name} if name else {}}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = validate_naming.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_gatekeeper_passes_the_trees_synthesized_assembly_even_strictly(
    assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--path", str(assembly), "--strict")
    assert code == 0, out
    assert "0 violation(s), 0 warning(s) in 4 template(s)" in out


def test_gatekeeper_reads_templates_in_nested_stage_assemblies(assembly: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(assembly, tmp_path / "cdk.out")
    planted = json.loads(next(copy.glob("assembly-prod/*.template.json")).read_text())
    planted["Resources"]["Planted"] = bucket("careervp-prod-KB-documents")
    write_template(copy / "assembly-prod", planted["Resources"], name="prodPlanted.template.json")
    assert validate_naming.main(["--path", str(copy)]) == 1


@pytest.mark.parametrize(
    ("bad_name", "rule"),
    [
        ("careervp-dev-KB-Documents", "[case]"),
        ("careervp-qa-kb-documents", "[unknown-environment]"),
        ("careervp-dev-kb-" + "documents" * 6, "[length]"),
        ("myapp-dev-kb-documents", "[missing-prefix]"),
        ("careervp-dev-kb.documents", "[characters]"),
    ],
)
def test_gatekeeper_refuses_a_bad_name_naming_file_logical_id_name_and_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad_name: str, rule: str
) -> None:
    template = write_template(
        tmp_path, {"GoodTable": bucket("careervp-dev-kb-documents"), "BadBucket": bucket(bad_name)}
    )
    code, out, _ = run(capsys, "--path", str(tmp_path))
    assert code == 1
    [line] = [line for line in out.splitlines() if line.startswith("ERROR")]
    assert str(template) in line
    assert "BadBucket (AWS::S3::Bucket)" in line
    assert repr(bad_name) in line
    assert rule in line


def test_gatekeeper_reports_every_violation_not_just_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_template(
        tmp_path,
        {
            "Upper": bucket("careervp-dev-KB-documents"),
            "Unknown": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"FunctionName": "careervp-qa-kb-api"},
            },
            "Long": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "careervp-dev-kb-" + "r" * 60}},
        },
    )
    code, out, _ = run(capsys, "--path", str(tmp_path))
    assert code == 1
    assert "3 violation(s)" in out
    assert "over the IAM role limit of 64" in out


def test_a_resource_without_a_physical_name_is_a_warning_that_fails_only_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_template(tmp_path, {"Anonymous": bucket(None), "Computed": bucket({"Fn::Sub": "x-${AWS::Region}"})})  # type: ignore[arg-type]
    code, out, _ = run(capsys, "--path", str(tmp_path))
    assert code == 0
    assert "0 violation(s), 2 warning(s)" in out
    assert "[no-physical-name]" in out
    assert "[computed-name]" in out
    assert validate_naming.main(["--path", str(tmp_path), "--strict"]) == 1


def test_gatekeeper_checks_a_single_template_file(tmp_path: Path) -> None:
    path = write_template(tmp_path, {"Fine": bucket("careervp-staging-kb-documents")})
    assert validate_naming.main(["--path", str(path)]) == 0


def test_gatekeeper_synthesizes_a_cdk_app_folder_through_its_cdk_json_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "cdk.json").write_text(json.dumps({"app": "python synth.py"}))
    (app / "synth.py").write_text(
        "import json, os, pathlib\n"
        "out = pathlib.Path(os.environ['CDK_OUTDIR'])\n"
        "out.mkdir(parents=True, exist_ok=True)\n"
        "bucket = {'Type': 'AWS::S3::Bucket', 'Properties': {'BucketName': 'careervp-prod-kb-Documents'}}\n"
        "(out / 'Stack.template.json').write_text(json.dumps({'Resources': {'FromApp': bucket}}))\n"
    )
    code, out, _ = run(capsys, "--path", str(app))
    assert code == 1
    assert "FromApp (AWS::S3::Bucket) 'careervp-prod-kb-Documents' [case]" in out


def test_an_app_that_fails_to_synthesize_fails_the_gate_with_its_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text("raise SystemExit('boom: cdk-nag refused the app')\n")
    code, _, err = run(capsys, "--path", str(tmp_path))
    assert code == 1
    assert "failed to synthesize" in err
    assert "boom: cdk-nag refused the app" in err


@pytest.mark.parametrize(
    "argv",
    [[], ["--path"], ["--path", "/no/such/folder"], ["--strict"], ["--path", ".", "--colour"]],
)
def test_bad_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_naming.main(argv) == 2


def test_a_folder_with_nothing_to_check_is_bad_usage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--path", str(tmp_path))
    assert code == 2
    assert "no *.template.json" in err


def test_the_script_runs_as_a_program_with_the_documented_exit_code(tmp_path: Path) -> None:
    write_template(tmp_path, {"Bad": bucket("careervp-qa-kb-documents")})
    result = subprocess.run(
        [sys.executable, str(SCRIPTS_DIR / "validate_naming.py"), "--path", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "[unknown-environment]" in result.stdout


def test_gatekeeper_checks_the_stack_names_an_assembly_declares(
    assembly: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = shutil.copytree(assembly, tmp_path / "cdk.out")
    manifest_path = copy / "assembly-staging" / "manifest.json"
    manifest_path.write_text(
        manifest_path.read_text().replace('"careervp-staging-service-stack"', '"CareerVP-Staging-Service"')
    )
    code, out, _ = run(capsys, "--path", str(copy))
    assert code == 1
    assert "(stack name) (AWS::CloudFormation::Stack) 'CareerVP-Staging-Service' [case]" in out


@pytest.mark.parametrize(
    ("resource_type", "path", "limit"),
    [
        ("AWS::Events::Rule", ("Name",), 64),
        ("AWS::WAFv2::WebACL", ("Name",), 128),
        ("AWS::Cognito::UserPool", ("UserPoolName",), 128),
        ("AWS::Cognito::UserPoolClient", ("ClientName",), 128),
        ("AWS::CloudFront::Distribution", ("DistributionConfig", "Comment"), 128),
        ("AWS::CloudFront::OriginAccessControl", ("OriginAccessControlConfig", "Name"), 64),
    ],
)
def test_gatekeeper_holds_each_named_type_to_the_scheme_and_its_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], resource_type: str, path: tuple[str, ...], limit: int
) -> None:
    def named(name: str) -> dict[str, Any]:
        value: Any = name
        for key in reversed(path):
            value = {key: value}
        return {"Type": resource_type, "Properties": value}

    longest = "careervp-dev-monitoring-"
    write_template(
        tmp_path,
        {
            "Good": named(longest + "s" * (limit - len(longest))),
            "Foreign": named("myapp-dev-monitoring-schedule"),
            "Long": named(longest + "s" * (limit - len(longest) + 1)),
        },
    )
    code, out, _ = run(capsys, "--path", str(tmp_path))
    assert code == 1
    assert "2 violation(s)" in out
    assert "Foreign" in out
    assert "[missing-prefix]" in out
    assert f"{limit + 1} characters is over the" in out
    assert f"limit of {limit}" in out
    assert "Good" not in out
