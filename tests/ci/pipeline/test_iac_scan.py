"""The IaC security scan (checkov, run by `synth`): a finding fails unless a reason written next to the
resource excuses it, and the tree's own templates have none left unexplained. Real checkov, from the
project's locked scanner environment."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from careervp_ci.pipeline.steps import iac_scan
from careervp_ci.pipeline.steps.context import StepContext
from careervp_ci.pipeline.steps.sarif import read_findings
from support.synth import session_assembly

ROOT = Path(__file__).resolve().parents[3]
PRIVATE: dict[str, Any] = {
    "PublicAccessBlockConfiguration": dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    ),
    "LoggingConfiguration": {"DestinationBucketName": "logs"},
}
"""A bucket checkov passes but for versioning (CKV_AWS_21)."""


def bucket(properties: dict[str, Any], skip: list[dict[str, str]] | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {"Type": "AWS::S3::Bucket", "Properties": properties}
    if skip is not None:
        resource["Metadata"] = {"checkov": {"skip": skip}}
    return resource


def scan_tree(tree: Path) -> iac_scan.ScanResult:
    """`scan` of `tree`/out, in a tree whose checkov is the project's."""
    (tree / "ci" / "tools").mkdir(parents=True)
    (tree / "ci" / "tools" / "checkov").symlink_to(ROOT / iac_scan.SCANNER_PROJECT)
    (tree / "reports").mkdir()
    return iac_scan.scan(StepContext("synth", tree, tree / "reports", {}, tree / "bin"), "out")


def scan_templates(tmp_path: Path, resources: dict[str, Any]) -> iac_scan.ScanResult:
    """`scan` over one template holding `resources`."""
    (tmp_path / "out" / "assembly-planted").mkdir(parents=True)
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    (tmp_path / "out" / "assembly-planted" / "Planted.template.json").write_text(json.dumps(template))
    return scan_tree(tmp_path)


def test_planted_unencrypted_and_public_resources_fail_naming_resource_and_check(tmp_path: Path) -> None:
    """S3 encrypts every bucket by default since 2023, so checkov passes a bucket that declares no encryption
    (S3Encryption.py: a missing block passes); an unencrypted queue and an unblocked bucket fail."""
    queue = {"Type": "AWS::SQS::Queue", "Properties": {}}
    result = scan_templates(tmp_path, {"PlantedBucket": bucket({}), "PlantedQueue": queue})
    unexplained = {(finding.rule, finding.message.split(": ")[0]) for finding in result.unexplained}
    assert ("CKV_AWS_27", "AWS::SQS::Queue.PlantedQueue") in unexplained  # encrypted at rest with KMS
    assert ("CKV_AWS_53", "AWS::S3::Bucket.PlantedBucket") in unexplained  # block public ACLs
    assert all("failed check; fix it, or explain it" in finding.message for finding in result.unexplained)
    sarif = read_findings(tmp_path / "reports" / iac_scan.SARIF)
    assert {finding.uri for finding in sarif} == {"out/assembly-planted/Planted.template.json"}


def test_a_skip_with_a_reason_excuses_the_check_and_one_without_fails(tmp_path: Path) -> None:
    explained = [{"id": "CKV_AWS_21", "comment": "planted: the reason a reviewer reads"}]
    result = scan_templates(
        tmp_path, {"Explained": bucket(PRIVATE, explained), "Bare": bucket(PRIVATE, [{"id": "CKV_AWS_21"}])}
    )
    assert result.excused["CKV_AWS_21"] == 2
    assert [(f.rule, f.message.split(" (")[0]) for f in result.unexplained] == [
        ("CKV_AWS_21", "AWS::S3::Bucket.Bare: Ensure the S3 bucket has versioning enabled")
    ]
    assert "skipped without a reason" in result.unexplained[0].message


def test_a_missing_scanner_is_named_with_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(iac_scan.ENV_VARIABLE, raising=False)
    with pytest.raises(iac_scan.ScannerMissing, match=r"run `make setup` .*uv sync --frozen --project"):
        iac_scan.scanner(tmp_path)


def test_every_template_of_the_tree_has_no_finding_without_a_reason(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    shutil.copytree(session_assembly(tmp_path_factory), tmp_path / "out")
    result = scan_tree(tmp_path)
    assert [finding.describe() for finding in result.unexplained] == []
    assert result.passed > 1000
